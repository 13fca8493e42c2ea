using ApiTokens.Membership;
using ApiTokens.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens;

/// <summary>
/// Validates a presented secret and application name, independent of any transport (R8, R11–R13,
/// R15, R17, R20). Malformed secrets and invalid app names are refused without store I/O.
/// </summary>
/// <remarks>
/// <see cref="ValidateAsync"/> is the whole check. Caches compose the pieces instead:
/// <see cref="IsWellFormedSecret"/> and <see cref="IsValidAppName"/> first, then
/// <see cref="FindActiveAsync"/> on a miss, then <see cref="AuthorizeAppAsync"/> per request.
/// </remarks>
public sealed class ApiTokenValidator
{
    private readonly IApiTokenStore _store;
    private readonly IAccountMembership _membership;
    private readonly SecretCodec _secrets;
    private readonly ApiTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly IApiTokenChangeListener[] _listeners;
    private readonly ILogger _logger;

    /// <summary>Creates the validator. Resolve it from dependency injection (<c>services.AddApiTokens()</c>).</summary>
    /// <param name="store">The token store.</param>
    /// <param name="membership">The host's membership data.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="listeners">Caches to tell about recorded apps.</param>
    /// <param name="logger">The logger.</param>
    public ApiTokenValidator(
        IApiTokenStore store,
        IAccountMembership membership,
        IOptions<ApiTokenOptions> options,
        TimeProvider timeProvider,
        IEnumerable<IApiTokenChangeListener> listeners,
        ILogger<ApiTokenValidator> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(listeners);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _membership = membership;
        _options = options.Value;
        _secrets = new SecretCodec(_options.SecretFormat, _options.SecretPrefix);
        _time = timeProvider;
        _listeners = [.. listeners];
        _logger = logger;
    }

    /// <summary>
    /// Whether an application name is valid (R11): 1–256 characters, no control characters.
    /// Spaces and punctuation are allowed.
    /// </summary>
    /// <param name="appName">The name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidAppName(ReadOnlySpan<char> appName)
    {
        if (appName.IsEmpty || appName.Length > ApiTokenOptions.MaxAppNameLength)
        {
            return false;
        }

        foreach (var c in appName)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a presented secret has the shape and checksum of a secret (R17). No I/O.</summary>
    /// <param name="secret">The presented secret.</param>
    /// <returns><see langword="true"/> when well formed.</returns>
    public bool IsWellFormedSecret(ReadOnlySpan<char> secret) => _secrets.IsWellFormed(secret);

    /// <summary>Validates a secret and application name completely.</summary>
    /// <param name="secret">The presented secret.</param>
    /// <param name="appName">The presented application name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome; never throws for bad input or a failing store (R20).</returns>
    public async ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret) || !_secrets.IsWellFormed(secret))
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        if (appName is null || !IsValidAppName(appName))
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadApp);
        }

        ApiTokenLookup? lookup;
        try
        {
            lookup = await FindActiveAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(_logger, ex);
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.StoreUnavailable);
        }

        if (lookup is null)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        return await AuthorizeAppAsync(lookup, appName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finds the active token a well-formed secret belongs to, with its effective privilege (R13, R15).
    /// </summary>
    /// <param name="secret">A secret for which <see cref="IsWellFormedSecret"/> is true.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// The token, or <see langword="null"/> when it is unknown, retired, or a user token whose owner is
    /// no longer a member.
    /// </returns>
    /// <exception cref="ApiTokenStoreException">The store or membership source failed.</exception>
    public async ValueTask<ApiTokenLookup?> FindActiveAsync(string secret, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var hash = new byte[SecretCodec.HashLength];
        SecretCodec.Hash(secret, hash);
        var token = await _store.FindBySecretHashAsync(hash, cancellationToken).ConfigureAwait(false);
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

            ownerRole = await _membership.GetRoleAsync(token.AccountId, token.OwnerId, cancellationToken).ConfigureAwait(false);
        }

        return TokenAccessPolicy.Effective(token, ownerRole) is { } effective ? new ApiTokenLookup(token, effective) : null;
    }

    /// <summary>
    /// Judges the application under a found token (R8–R12): a recorded app by its own state; a new
    /// app is recorded once with the token's default state and then judged by it, unless the token
    /// already records <see cref="ApiTokenOptions.MaxAppsPerToken"/> apps (then refused, no write).
    /// </summary>
    /// <param name="lookup">The token, from <see cref="FindActiveAsync"/>.</param>
    /// <param name="appName">A valid application name.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The outcome; a failing store yields <see cref="ApiTokenValidationStatus.StoreUnavailable"/>.</returns>
    public ValueTask<ApiTokenValidationResult> AuthorizeAppAsync(ApiTokenLookup lookup, string appName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(appName);
        var app = lookup.Token.FindApp(appName);
        if (app is not null)
        {
            return new(Judge(lookup, app, appName));
        }

        if (lookup.Token.Apps.Count >= _options.MaxAppsPerToken)
        {
            return new(ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps));
        }

        return RecordAndJudgeAsync(lookup, appName, cancellationToken);
    }

    /// <summary>Judges a recorded app (R8, R9). Never touches the store.</summary>
    /// <param name="lookup">The token.</param>
    /// <param name="app">The recorded app.</param>
    /// <param name="appName">The application name as presented.</param>
    /// <returns>The outcome.</returns>
    public static ApiTokenValidationResult Judge(ApiTokenLookup lookup, TokenApp app, string appName)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(app);
        return app.State switch
        {
            AppState.Allow => ApiTokenValidationResult.Success(new ValidatedApiToken(lookup.Token, lookup.EffectivePrivilege, appName)),
            AppState.Pending => ApiTokenValidationResult.Fail(ApiTokenValidationStatus.PendingApp),
            _ => ApiTokenValidationResult.Fail(ApiTokenValidationStatus.DeniedApp),
        };
    }

    private async ValueTask<ApiTokenValidationResult> RecordAndJudgeAsync(ApiTokenLookup lookup, string appName, CancellationToken cancellationToken)
    {
        var token = lookup.Token;
        ApiToken? stored;
        try
        {
            stored = await _store.RecordAppAsync(token.Id, new TokenApp(appName, token.DefaultAppState, _time.GetUtcNow()), _options.MaxAppsPerToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(_logger, ex);
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.StoreUnavailable);
        }

        if (stored is null || stored.IsRetired)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        if (stored.Version != token.Version)
        {
            // The token changed (this call recorded the app, or another change landed): caches drop it.
            foreach (var listener in _listeners)
            {
                listener.OnTokenChanged(token.Id);
            }
        }

        var app = stored.FindApp(appName);
        if (app is null)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
        }

        if (stored.Version != token.Version)
        {
            Log.AppRecorded(_logger, appName, token.Id, app.State);
        }

        return Judge(lookup with { Token = stored }, app, appName);
    }
}
