using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ApiTokens.AspNetCore.Caching;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ApiTokens.AspNetCore;

// Authenticates SPEC §3 requests. Missing credentials → NoResult; bad ones → a shared failed
// result; never throws for bad input. A cache hit with a known app does no store I/O and, unless
// events observe it, completes synchronously.
internal sealed class ApiTokenAuthenticationHandler : AuthenticationHandler<ApiTokenAuthenticationOptions>
{
    private static readonly Task<AuthenticateResult> s_noResult = Task.FromResult(AuthenticateResult.NoResult());

    private readonly ApiTokenCaches _caches;
    private readonly SecretCodec _secrets;

    public ApiTokenAuthenticationHandler(
        IOptionsMonitor<ApiTokenAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ApiTokenCaches caches,
        SecretCodec secrets)
        : base(options, logger, encoder)
    {
        _caches = caches;
        _secrets = secrets;
    }

    private new ApiTokenAuthenticationEvents Events => (ApiTokenAuthenticationEvents)base.Events!;

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new ApiTokenAuthenticationEvents());

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var credentials = CredentialReader.Read(Request, Options, out var secret, out var appName);
        if (credentials == CredentialStatus.None)
        {
            return s_noResult;
        }

        if (credentials == CredentialStatus.BadToken)
        {
            return FailAsync(ApiTokenValidationStatus.BadToken);
        }

        if (credentials == CredentialStatus.BadApp)
        {
            // A bad token outranks a bad app name.
            return FailAsync(_secrets.IsWellFormed(secret) ? ApiTokenValidationStatus.BadApp : ApiTokenValidationStatus.BadToken);
        }

        // The cache first: only well-formed secrets are ever cached, so a hit needs no format check.
        var cache = Options.Cache ??= _caches.Get(Scheme.Name, Options);
        if (!cache.TryComputeKey(secret, out var key))
        {
            return FailAsync(ApiTokenValidationStatus.BadToken);
        }

        var entry = cache.TryGet(key);
        if (entry is not null)
        {
            if (entry.FindApp(appName!) is { } app)
            {
                return Judge(entry, app);
            }
        }
        else if (!_secrets.IsWellFormed(secret))
        {
            // Shape or checksum wrong: refused without store I/O (R17).
            return FailAsync(ApiTokenValidationStatus.BadToken);
        }

        return AuthenticateSlowAsync(cache, key, entry, secret!, appName!);
    }

    private async Task<AuthenticateResult> AuthenticateSlowAsync(ApiTokenCache cache, UInt128 key, CachedApiToken? entry, string secret, string appName)
    {
        var validator = Context.RequestServices.GetRequiredService<ApiTokenValidator>();
        var cancellationToken = Context.RequestAborted;
        if (entry is null)
        {
            try
            {
                entry = await cache.LoadAsync(key, () => validator.FindActiveAsync(secret, CancellationToken.None).AsTask()).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.StoreFailed(Logger, Scheme.Name, ex);
                return await FailAsync(ApiTokenValidationStatus.StoreUnavailable).ConfigureAwait(false);
            }

            if (entry is null)
            {
                return await FailAsync(ApiTokenValidationStatus.BadToken).ConfigureAwait(false);
            }

            if (entry.FindApp(appName) is { } app)
            {
                return await Judge(entry, app).ConfigureAwait(false);
            }
        }

        // A new app (R8, R12): the validator refuses it at the limit without a store call, otherwise
        // records it once per node however many requests race (the store makes it once across
        // nodes), and tells the cache, which drops this entry.
        var result = await entry.RecordAppAsync(validator, appName, CancellationToken.None).ConfigureAwait(false);
        if (result.Status != ApiTokenValidationStatus.Success)
        {
            if (result.Status == ApiTokenValidationStatus.StoreUnavailable)
            {
                Log.StoreFailed(Logger, Scheme.Name, null);
            }

            return await FailAsync(result.Status).ConfigureAwait(false);
        }

        return await SucceedAsync(new ApiTokenIdentity(result.Token!, Scheme.Name)).ConfigureAwait(false);
    }

    // A recorded app is judged by its own state (R8, R9); the cache shares the identity per app.
    private Task<AuthenticateResult> Judge(CachedApiToken entry, TokenApp app) => app.State switch
    {
        AppState.Allow => SucceedAsync(entry.GetIdentity(app.Name)),
        AppState.Pending => FailAsync(ApiTokenValidationStatus.PendingApp),
        _ => FailAsync(ApiTokenValidationStatus.DeniedApp),
    };

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

    private Task<AuthenticateResult> FailAsync(ApiTokenValidationStatus status)
    {
        Log.AuthenticationFailed(Logger, Scheme.Name, status);
        var failure = AuthenticateResult.Fail(ApiTokenAuthenticationFailure.For(status));
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
        var status = authenticated.Failure is ApiTokenAuthenticationFailure failure ? failure.Status : ApiTokenValidationStatus.BadToken;

        var context = new ApiTokenChallengeContext(Context, Scheme, Options, properties, status);
        await Events.Challenge(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        var problem = ApiTokenFailures.For(status);
        if (problem.Status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = $"ApiToken realm=\"{Options.Realm}\"";
        }
        else if (status == ApiTokenValidationStatus.StoreUnavailable)
        {
            Response.Headers.RetryAfter = ((int)Math.Ceiling(Options.StoreRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await ProblemResponse.WriteAsync(Context, problem.Status, problem.Code, problem.Message, problem.Explanation).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var context = new ApiTokenForbiddenContext(Context, Scheme, Options, properties);
        await Events.Forbidden(context).ConfigureAwait(false);
        if (context.Handled)
        {
            return;
        }

        if (Context.Items.TryGetValue(ApiTokenPrivilegeAuthorizationHandler.RequiredPrivilegeKey, out var required) && required is TokenPrivilege needed)
        {
            var has = Context.User.Identities.OfType<ApiTokenIdentity>().FirstOrDefault()?.Token.EffectivePrivilege;
            await ProblemResponse.WriteAsync(
                Context,
                StatusCodes.Status403Forbidden,
                ApiTokenFailureCodes.InsufficientPrivilege,
                "The token's privilege is too low for this request.",
                $"This request needs {ApiTokenPrivilegeNames.Display(needed)} privilege; the token has {(has is { } p ? ApiTokenPrivilegeNames.Display(p) : "none")}.").ConfigureAwait(false);
            return;
        }

        await ProblemResponse.WriteAsync(Context, StatusCodes.Status403Forbidden, ApiTokenFailureCodes.Forbidden, "Access is forbidden.", "The request is authenticated but not authorized for this resource.").ConfigureAwait(false);
    }
}
