using System.Security.Claims;
using System.Text.Encodings.Web;
using ApiTokens.AspNetCore.Authorization;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Authentication;

// Authenticates the wire protocol (docs/wire-protocol.md) requests: reads the credentials, asks the one validation flow
// (ApiTokenValidator), maps its status to HTTP and attaches the identity. It judges nothing
// itself. Missing credentials → NoResult; bad ones → a shared failed result; never throws for bad
// input. A cache hit completes synchronously unless events observe it.
internal sealed class ApiTokenAuthenticationHandler : AuthenticationHandler<ApiTokenAuthenticationOptions>
{
    private static readonly Task<AuthenticateResult> s_noResult = Task.FromResult(AuthenticateResult.NoResult());

    // Two dependencies only: the handler is activated per request, and each constructor parameter
    // costs allocations on every request (measured: +32 B for a third one).
    private readonly ApiTokenValidator _validator;
    private readonly ApiTokenIdentities _identities;

    public ApiTokenAuthenticationHandler(
        IOptionsMonitor<ApiTokenAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ApiTokenValidator validator,
        ApiTokenIdentities identities)
        : base(options, logger, encoder)
    {
        _validator = validator;
        _identities = identities;
    }

    private new ApiTokenAuthenticationEvents Events => (ApiTokenAuthenticationEvents)base.Events!;

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new ApiTokenAuthenticationEvents());

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!CredentialReader.TryRead(Request, Options, out var secret, out var appName))
        {
            return s_noResult;
        }

        // The server's lifetime feature, read without HttpContext.RequestAborted, which creates a default
        // feature (an allocation per request) when a host has none.
        var aborted = Context.Features.Get<IHttpRequestLifetimeFeature>()?.RequestAborted ?? CancellationToken.None;
        var validation = _validator.ValidateAsync(secret, appName, Options.ClientKey?.Invoke(Context), Context.Connection.RemoteIpAddress, aborted);
        return validation.IsCompletedSuccessfully ? Complete(validation.Result) : CompleteAsync(validation);
    }

    private async Task<AuthenticateResult> CompleteAsync(ValueTask<ApiTokenValidationResult> validation)
        => await Complete(await validation.ConfigureAwait(false)).ConfigureAwait(false);

    private Task<AuthenticateResult> Complete(ApiTokenValidationResult result)
        => result.Status == ApiTokenValidationStatus.Success
            ? SucceedAsync(_identities.Get(result.Token!, Scheme.Name))
            : FailAsync(result);

    private Task<AuthenticateResult> SucceedAsync(ApiTokenIdentity identity)
    {
        var principal = new ClaimsPrincipal(identity);
        if (!Events.ObservesTokenValidated)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        }

        return RaiseTokenValidatedAsync(identity, principal);
    }

    private async Task<AuthenticateResult> RaiseTokenValidatedAsync(ApiTokenIdentity identity, ClaimsPrincipal principal)
    {
        var context = new ApiTokenValidatedContext(Context, Scheme, Options, identity.Token) { Principal = principal };
        await Events.TokenValidated(context).ConfigureAwait(false);
        if (context.Result is not null)
        {
            return context.Result;
        }

        context.Success();
        return context.Result!;
    }

    private Task<AuthenticateResult> FailAsync(ApiTokenValidationResult result)
    {
        var status = result.Status;
        Log.AuthenticationFailed(Logger, Scheme.Name, status);
        var failure = AuthenticateResult.Fail(ApiTokenAuthenticationFailure.For(result));
        return Events.ObservesAuthenticationFailed ? RaiseFailedAsync(status, failure) : Task.FromResult(failure);
    }

    private async Task<AuthenticateResult> RaiseFailedAsync(ApiTokenValidationStatus status, AuthenticateResult failure)
    {
        var context = new ApiTokenAuthenticationFailedContext(Context, Scheme, Options, status);
        await Events.AuthenticationFailed(context).ConfigureAwait(false);
        return context.Result ?? failure;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authenticated = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var failure = authenticated.Failure as ApiTokenAuthenticationFailure;
        var status = failure?.Status ?? ApiTokenValidationStatus.BadToken;

        var context = new ApiTokenChallengeContext(Context, Scheme, Options, properties, status);
        await Events.Challenge(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        await ApiTokenRefusals.WriteAsync(Context, Options, status, failure?.RetryAfter, failure?.RateLimit).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var context = new ApiTokenForbiddenContext(Context, Scheme, Options, properties);
        await Events.Forbidden(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        if (Context.Features.Get<ApiTokenForbiddenFeature>() is { AcceptedScopes: { } accepted })
        {
            await ApiTokenRefusals.ScopeAsync(Context, accepted).ConfigureAwait(false);
            return;
        }

        if (Context.Features.Get<ApiTokenForbiddenFeature>() is { RequiredPrivilege: { } needed })
        {
            var has = Context.User.Identities.OfType<ApiTokenIdentity>().FirstOrDefault()?.Token.EffectivePrivilege;
            await ApiTokenRefusals.InsufficientPrivilegeAsync(Context, needed, has).ConfigureAwait(false);
            return;
        }

        await ApiTokenProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, ApiTokenFailureCodes.Forbidden, "Access is forbidden.", "The request is authenticated but not authorized for this resource.").ConfigureAwait(false);
    }
}
