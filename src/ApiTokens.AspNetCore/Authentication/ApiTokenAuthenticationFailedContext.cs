using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

/// <summary>The context of <see cref="ApiTokenAuthenticationEvents.OnAuthenticationFailed"/>.</summary>
public sealed class ApiTokenAuthenticationFailedContext : ResultContext<ApiTokenAuthenticationOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The options.</param>
    /// <param name="status">Why the token failed.</param>
    public ApiTokenAuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, ApiTokenAuthenticationOptions options, ApiTokenValidationStatus status)
        : base(context, scheme, options)
    {
        Status = status;
    }

    /// <summary>Why the token failed.</summary>
    public ApiTokenValidationStatus Status { get; }
}
