
namespace ApiTokens.AspNetCore.Authentication;

/// <summary>
/// Hooks into the ApiTokens handler, in the style of <c>JwtBearerEvents</c>. Set the delegates, or
/// derive and override the methods (register the derived type through
/// <see cref="Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions.EventsType"/>).
/// </summary>
public class ApiTokenAuthenticationEvents
{
    private static readonly Func<ApiTokenValidatedContext, Task> s_noValidated = static _ => Task.CompletedTask;
    private static readonly Func<ApiTokenAuthenticationFailedContext, Task> s_noFailed = static _ => Task.CompletedTask;

    /// <summary>Called after a token and app were accepted; may replace the principal or reject the request.</summary>
    public Func<ApiTokenValidatedContext, Task> OnTokenValidated { get; set; } = s_noValidated;

    /// <summary>Called when a presented token fails; <see cref="ApiTokenAuthenticationFailedContext.Status"/> says why.</summary>
    public Func<ApiTokenAuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = s_noFailed;

    /// <summary>Called before the handler answers a challenge (401, or 403/503 for app and store failures); call <see cref="ApiTokenChallengeContext.HandleResponse"/> to write your own.</summary>
    public Func<ApiTokenChallengeContext, Task> OnChallenge { get; set; } = static _ => Task.CompletedTask;

    /// <summary>Called before the handler answers 403 for an authenticated request; call <see cref="ApiTokenForbiddenContext.HandleResponse"/> to write your own.</summary>
    public Func<ApiTokenForbiddenContext, Task> OnForbidden { get; set; } = static _ => Task.CompletedTask;

    // Lets the hot path skip building a context nobody reads.
    internal bool ObservesTokenValidated => GetType() != typeof(ApiTokenAuthenticationEvents) || !ReferenceEquals(OnTokenValidated, s_noValidated);

    internal bool ObservesAuthenticationFailed => GetType() != typeof(ApiTokenAuthenticationEvents) || !ReferenceEquals(OnAuthenticationFailed, s_noFailed);

    /// <summary>Invokes <see cref="OnTokenValidated"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task TokenValidated(ApiTokenValidatedContext context) => OnTokenValidated(context);

    /// <summary>Invokes <see cref="OnAuthenticationFailed"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task AuthenticationFailed(ApiTokenAuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Invokes <see cref="OnChallenge"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Challenge(ApiTokenChallengeContext context) => OnChallenge(context);

    /// <summary>Invokes <see cref="OnForbidden"/>.</summary>
    /// <param name="context">The context.</param>
    /// <returns>A task.</returns>
    public virtual Task Forbidden(ApiTokenForbiddenContext context) => OnForbidden(context);
}
