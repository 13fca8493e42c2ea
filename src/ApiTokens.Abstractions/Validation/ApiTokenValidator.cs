using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Validation;

/// <summary>
/// The whole check of a presented secret and application name, for any transport (an ASP.NET Core
/// authentication scheme, a gRPC interceptor, a SignalR hub, a worker reading a queue): format and
/// checksum, the hot-path cache, the store on a miss, effective privilege, the app's decision and
/// the first use of a new app (R8–R13, R15, R17–R20).
/// </summary>
/// <remarks>
/// <para>
/// A singleton: resolve it from dependency injection (<c>services.AddApiTokens()</c>). A cache hit
/// for a recorded app completes synchronously, allocates nothing and does no store I/O. Malformed
/// secrets and invalid app names are refused without store I/O. Every change made through
/// <see cref="ApiTokenManager"/> on this node takes effect on the very next call (R18).
/// </para>
/// <para>
/// Store calls run in a dependency-injection scope of their own, so scoped stores and membership
/// sources work, and a store read shared by concurrent callers belongs to none of them.
/// </para>
/// </remarks>
public sealed class ApiTokenValidator
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ApiTokenCache _cache;
    private readonly ApiTokenSecretCodec _secrets;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly IApiTokenChangeListener[] _listeners;
    private readonly ILogger _logger;
    private readonly Func<string, Task<ApiTokenLookup?>> _findActive;
    private readonly Func<ApiTokenLookup, string, Task<ApiTokenValidationResult>> _recordApp;

    internal ApiTokenValidator(
        IServiceScopeFactory scopes,
        ApiTokenCache cache,
        ApiTokenSecretCodec secrets,
        IOptionsMonitor<ApiTokenOptions> options,
        TimeProvider timeProvider,
        IEnumerable<IApiTokenChangeListener> listeners,
        ILogger<ApiTokenValidator> logger)
    {
        _scopes = scopes;
        _cache = cache;
        _secrets = secrets;
        _options = options;
        _time = timeProvider;
        _listeners = [.. listeners];
        _logger = logger;
        _findActive = FindActiveAsync;
        _recordApp = RecordAppAsync;
    }

    /// <summary>
    /// Whether an application name is valid (R11): 1–256 characters with no control characters, no
    /// invisible formatting characters (Unicode category Cf: bidirectional overrides, zero-width
    /// characters), no line or paragraph separators and no unpaired surrogates. Spaces, punctuation
    /// and letters of any script are allowed (<c>Terraform v1.9.2</c>, <c>cosi-install (linux)</c>).
    /// </summary>
    /// <param name="appName">The name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidAppName(ReadOnlySpan<char> appName)
        => !appName.IsEmpty && appName.Length <= ApiTokenOptions.MaxAppNameLength && TextRules.IsVisibleText(appName, allowTabAndNewline: false);

    /// <summary>Validates a presented secret and application name.</summary>
    /// <param name="secret">The presented secret; <see langword="null"/> or malformed fails as <see cref="ApiTokenValidationStatus.BadToken"/>.</param>
    /// <param name="appName">
    /// The presented application name; <see langword="null"/> (none sent) or invalid fails as
    /// <see cref="ApiTokenValidationStatus.BadApp"/>, unless the secret is malformed (a bad token
    /// outranks a bad app name).
    /// </param>
    /// <param name="cancellationToken">Stops this caller waiting; a store read shared with other callers goes on for them.</param>
    /// <returns>
    /// The outcome. Never throws for bad input or a failing store: a store failure
    /// (<see cref="ApiTokenStoreException"/>) is <see cref="ApiTokenValidationStatus.StoreUnavailable"/> (R20).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while this caller waited for the store.</exception>
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, CancellationToken cancellationToken = default)
    {
        // Only well-formed secrets are ever cached, so the cache is asked before the checksum.
        if (string.IsNullOrEmpty(secret) || !_cache.TryComputeKey(secret, out var key))
        {
            return Fail(ApiTokenValidationStatus.BadToken);
        }

        if (appName is null || !IsValidAppName(appName))
        {
            return Fail(_secrets.IsWellFormed(secret) ? ApiTokenValidationStatus.BadApp : ApiTokenValidationStatus.BadToken);
        }

        var entry = _cache.TryGet(key);
        if (entry is not null)
        {
            if (entry.FindApp(appName) is { } app)
            {
                return new(Judge(entry, app));
            }
        }
        else if (!_secrets.IsWellFormed(secret))
        {
            // Shape or checksum wrong: refused without store I/O (R17).
            return Fail(ApiTokenValidationStatus.BadToken);
        }

        return ValidateSlowAsync(key, entry, secret, appName, cancellationToken);
    }

    private static ValueTask<ApiTokenValidationResult> Fail(ApiTokenValidationStatus status) => new(ApiTokenValidationResult.Fail(status));

    // R8, R9: a recorded app is judged by its own state. The only place that judges an app.
    private static ApiTokenValidationResult Judge(CachedApiToken entry, TokenApp app) => app.State switch
    {
        AppState.Allow => entry.GetSuccess(app.Name),
        AppState.Pending => ApiTokenValidationResult.Fail(ApiTokenValidationStatus.PendingApp),
        _ => ApiTokenValidationResult.Fail(ApiTokenValidationStatus.DeniedApp),
    };

    private async ValueTask<ApiTokenValidationResult> ValidateSlowAsync(UInt128 key, CachedApiToken? entry, string secret, string appName, CancellationToken cancellationToken)
    {
        try
        {
            if (entry is null)
            {
                entry = await _cache.LoadAsync(key, secret, _findActive).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
                }

                if (entry.FindApp(appName) is { } app)
                {
                    return Judge(entry, app);
                }
            }

            // A new app (R8, R12): refused at the limit without a store call; otherwise recorded once
            // per node however many requests race (the store makes it once across nodes).
            if (entry.Lookup.Token.Apps.Count >= _options.CurrentValue.MaxAppsPerToken)
            {
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
            }

            return await entry.RecordAppAsync(appName, _recordApp).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiTokenStoreException ex)
        {
            // The only place a store failure on the request path is logged.
            Log.StoreFailed(_logger, ex);
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.StoreUnavailable);
        }
    }

    // The active token a well-formed secret belongs to, with its effective privilege (R13, R15), or
    // null when it is unknown, retired, or a user token whose owner is no longer a member.
    private async Task<ApiTokenLookup?> FindActiveAsync(string secret)
    {
        var hash = new byte[ApiTokenSecretCodec.HashLength];
        ApiTokenSecretCodec.Hash(secret, hash);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var token = await store.FindBySecretHashAsync(hash, CancellationToken.None).ConfigureAwait(false);
            if (token is null || token.IsRetired)
            {
                return null;
            }

            TokenPrivilege? ownerRole = null;
            if (token.Type == TokenType.User)
            {
                if (token.OwnerId is null)
                {
                    return null;
                }

                var membership = scope.ServiceProvider.GetRequiredService<IAccountMembership>();
                ownerRole = await membership.GetRoleAsync(token.AccountId, token.OwnerId, CancellationToken.None).ConfigureAwait(false);
            }

            return TokenAccessPolicy.Effective(token, ownerRole) is { } effective ? new ApiTokenLookup(token, effective) : null;
        }
    }

    // Records a new app under a cached token with the token's default state, then judges it (R8, R12).
    private async Task<ApiTokenValidationResult> RecordAppAsync(ApiTokenLookup lookup, string appName)
    {
        var token = lookup.Token;
        ApiToken? stored;
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var app = new TokenApp(appName, token.DefaultAppState, _time.GetUtcNow());
            stored = await store.RecordAppAsync(token.Id, app, _options.CurrentValue.MaxAppsPerToken, CancellationToken.None).ConfigureAwait(false);
        }

        if (stored is null || stored.IsRetired)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        var changed = stored.Version != token.Version;
        if (changed)
        {
            // The token changed (this call recorded the app, or another change landed): caches drop it.
            foreach (var listener in _listeners)
            {
                listener.OnTokenChanged(token.Id);
            }
        }

        var recorded = stored.FindApp(appName);
        if (recorded is null)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
        }

        if (changed)
        {
            Log.AppRecorded(_logger, appName, token.Id, recorded.State);
        }

        // Judged on the token as stored now, with the privilege looked up with it.
        return Judge(new CachedApiToken(lookup with { Token = stored }, expiresAt: 0), recorded);
    }
}
