using System.Net;
using ApiTokens.Caching;
using ApiTokens.Diagnostics;
using ApiTokens.Recording;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Validation;

/// <summary>
/// The whole check of a presented secret and application name, for any transport (an ASP.NET Core
/// authentication scheme, a gRPC interceptor, a SignalR hub, a worker reading a queue): format and
/// checksum, the hot-path cache, the store on a miss, effective privilege, the token's networks and
/// rate limit, the app's decision and the first use of a new app (R8–R13, R15, R17–R20, R27, R33–R35).
/// </summary>
/// <remarks>
/// <para>
/// A singleton: resolve it from dependency injection (<c>services.AddApiTokens()</c>). A cache hit
/// for a recorded app completes synchronously, allocates nothing and does no store I/O. Malformed
/// secrets and invalid app names are refused without store I/O. Every change made through
/// <see cref="ApiTokenManager"/> on this node takes effect on the very next call (R18).
/// </para>
/// <para>
/// The flow, top to bottom: the credentials; the cache (a hit for a recorded app is served, whatever
/// the client's failures); the client's throttle (R27); the store on a miss; the token's admission
/// (networks and rate limit, R33, R34); the app's decision, recorded as a use (R8, R9, R22, R35); a new
/// app recorded first (R8, R12). Each step is a part of its own: <c>ApiTokenCache</c> (reading through
/// <c>TokenLookup</c>), <c>ClientThrottle</c>, <c>TokenAdmission</c>, <c>UseRecorder</c>, <c>AppRecorder</c>.
/// </para>
/// </remarks>
public sealed class ApiTokenValidator
{
    private readonly ApiTokenCache _cache;
    private readonly ApiTokenSecretCodec _secrets;
    private readonly ClientThrottle _throttle;
    private readonly TokenAdmission _admission;
    private readonly UseRecorder _uses;
    private readonly AppRecorder _apps;
    private readonly ApiTokenInstruments _instruments;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal ApiTokenValidator(
        ApiTokenCache cache,
        ApiTokenSecretCodec secrets,
        ClientThrottle throttle,
        TokenAdmission admission,
        UseRecorder uses,
        AppRecorder apps,
        ApiTokenInstruments instruments,
        IOptionsMonitor<ApiTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<ApiTokenValidator> logger)
    {
        _cache = cache;
        _secrets = secrets;
        _throttle = throttle;
        _admission = admission;
        _uses = uses;
        _apps = apps;
        _instruments = instruments;
        _options = options;
        _time = timeProvider;
        _logger = logger;
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

    /// <summary>Validates a presented secret and application name, without failure throttling or an address.</summary>
    /// <inheritdoc cref="ValidateAsync(string?, string?, string?, IPAddress?, CancellationToken)" path="/*[not(self::summary)]"/>
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, CancellationToken cancellationToken)
        => ValidateAsync(secret, appName, clientKey: null, remoteAddress: null, cancellationToken);

    /// <summary>Validates a presented secret and application name, throttling the client's failures (R27), without an address.</summary>
    /// <inheritdoc cref="ValidateAsync(string?, string?, string?, IPAddress?, CancellationToken)" path="/*[not(self::summary)]"/>
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, string? clientKey, CancellationToken cancellationToken)
        => ValidateAsync(secret, appName, clientKey, remoteAddress: null, cancellationToken);

    /// <summary>
    /// Validates a presented secret and application name from a known address: the token, its allowed
    /// networks (R33) and rate limit (R34) judged from the cached entry without store I/O, the app's
    /// decision, and the client's failures counted for throttling (R27).
    /// </summary>
    /// <param name="secret">The presented secret; <see langword="null"/> or malformed fails as <see cref="ApiTokenValidationStatus.BadToken"/>.</param>
    /// <param name="appName">
    /// The presented application name; <see langword="null"/> (none sent) or invalid fails as
    /// <see cref="ApiTokenValidationStatus.BadApp"/>, unless the secret is malformed (a bad token
    /// outranks a bad app name).
    /// </param>
    /// <param name="clientKey">
    /// Who sent it (for example the remote IP address); <see langword="null"/> is not throttled.
    /// Failures (<see cref="ApiTokenValidationStatus.BadToken"/>, <see cref="ApiTokenValidationStatus.BadApp"/>)
    /// are counted per key; a key over <see cref="ApiTokenOptions.FailureLimit"/> within
    /// <see cref="ApiTokenOptions.FailureWindow"/> gets <see cref="ApiTokenValidationStatus.Throttled"/> for
    /// every secret and app not already cached, without store I/O. Keys are counted, never stored.
    /// </param>
    /// <param name="remoteAddress">
    /// The address the request comes from (for HTTP the connection's remote address, as ASP.NET Core
    /// sees it). <see langword="null"/> is inside no network: a token with allowed networks is then
    /// refused with <see cref="ApiTokenValidationStatus.NetworkNotAllowed"/>.
    /// </param>
    /// <param name="cancellationToken">Stops this caller waiting; a store read shared with other callers goes on for them.</param>
    /// <returns>
    /// The outcome. Never throws for bad input or a failing store: a store failure
    /// (<see cref="ApiTokenStoreException"/>) is <see cref="ApiTokenValidationStatus.StoreUnavailable"/> (R20).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while this caller waited for the store.</exception>
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, string? clientKey = null, IPAddress? remoteAddress = null, CancellationToken cancellationToken = default)
    {
        // R25: counted by result, timed only while someone listens to the duration.
        var started = _instruments.Start();
        var validation = ValidateCoreAsync(secret, appName, clientKey, remoteAddress, cancellationToken);
        if (validation.IsCompletedSuccessfully)
        {
            var result = validation.Result;
            _instruments.Authenticated(result.Status, started);
            return new(result);
        }

        return RecordAsync(validation, started);
    }

    /// <summary>
    /// Counts one failure against a client for R27 throttling, exactly as a failed authentication
    /// counts, unless the client is already throttled. Endpoints that take secrets without
    /// authenticating (public revocation, R32) call it so they cannot be used to probe at speed.
    /// </summary>
    /// <param name="clientKey">Who the request comes from (the scheme's <c>ClientKey</c>).</param>
    /// <param name="retryAfter">When throttled, how long until the client's window ends.</param>
    /// <returns><see langword="true"/> when the failure was counted; <see langword="false"/> when the client is throttled and the request should be refused with 429.</returns>
    public bool TryCountClientFailure(string clientKey, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(clientKey);
        if (_throttle.IsThrottled(clientKey, out var throttled))
        {
            retryAfter = throttled.RetryAfter ?? TimeSpan.Zero;
            return false;
        }

        _throttle.RecordFailure(clientKey);
        retryAfter = TimeSpan.Zero;
        return true;
    }

    private async ValueTask<ApiTokenValidationResult> RecordAsync(ValueTask<ApiTokenValidationResult> validation, long started)
    {
        var result = await validation.ConfigureAwait(false);
        _instruments.Authenticated(result.Status, started);
        return result;
    }

    private ValueTask<ApiTokenValidationResult> ValidateCoreAsync(string? secret, string? appName, string? clientKey, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        // 1. The credentials. Only well-formed secrets are ever cached, so the cache is asked before
        //    the checksum (R17).
        if (string.IsNullOrEmpty(secret) || !_cache.TryComputeKey(secret, out var key))
        {
            return new(_throttle.Refuse(ApiTokenValidationStatus.BadToken, clientKey));
        }

        if (appName is null || !IsValidAppName(appName))
        {
            // A bad token outranks a bad app name: without store I/O, a secret counts as a token when it
            // has this service's format (or a UUID's), or is cached; any other shape may be garbage.
            var token = _secrets.HasOwnShape(secret) || _cache.TryGet(key, out _) is not null;
            return new(_throttle.Refuse(token ? ApiTokenValidationStatus.BadApp : ApiTokenValidationStatus.BadToken, clientKey));
        }

        // 2. The cache. A cached token and app are served whatever the client's failures (R27 keeps
        //    cached tokens working); an entry past its refresh point is reloaded off this request.
        var entry = _cache.TryGet(key, out var refresh);
        _instruments.CacheLookup(entry is not null);
        if (entry is not null && entry.TryFindApp(appName, out var state, out var app))
        {
            if (refresh)
            {
                _cache.QueueRefresh(key, entry, secret);
            }

            return entry.Restricted ? AdmitThenJudge(entry, appName, app, state, remoteAddress, cancellationToken) : new(_uses.Judge(entry, app, state));
        }

        // 3. The throttle: a client over its failures reads nothing from the store (R27).
        if (clientKey is not null && _throttle.IsThrottled(clientKey, out var throttled))
        {
            return new(throttled);
        }

        if (entry is null && !_secrets.IsWellFormed(secret))
        {
            // Shape or checksum wrong: refused without store I/O (R17).
            return new(_throttle.Refuse(ApiTokenValidationStatus.BadToken, clientKey));
        }

        var validation = ValidateSlowAsync(key, entry, secret, appName, remoteAddress, cancellationToken);
        return clientKey is null ? validation : CountFailureAsync(validation, clientKey);
    }

    // 4, 5 on a hit: the token's networks and rate limit, then the app's decision.
    private ValueTask<ApiTokenValidationResult> AdmitThenJudge(CachedApiToken entry, string appName, int app, AppState state, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        var admission = _admission.AdmitAsync(entry, appName, remoteAddress, cancellationToken);
        return admission.IsCompletedSuccessfully
            ? new(admission.Result ?? _uses.Judge(entry, app, state))
            : JudgeAfterAsync(admission, entry, app, state);
    }

    private async ValueTask<ApiTokenValidationResult> JudgeAfterAsync(ValueTask<ApiTokenValidationResult?> admission, CachedApiToken entry, int app, AppState state)
        => await admission.ConfigureAwait(false) ?? _uses.Judge(entry, app, state);

    private async ValueTask<ApiTokenValidationResult> CountFailureAsync(ValueTask<ApiTokenValidationResult> validation, string clientKey)
    {
        var result = await validation.ConfigureAwait(false);
        if (result.Status is ApiTokenValidationStatus.BadToken or ApiTokenValidationStatus.BadApp)
        {
            _throttle.RecordFailure(clientKey);
        }

        return result;
    }

    // A miss (entry null), or a cached token presenting a new app.
    private async ValueTask<ApiTokenValidationResult> ValidateSlowAsync(UInt128 key, CachedApiToken? entry, string secret, string appName, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        // R25: a span for the slow path (a miss, or a first use), never for a cache hit.
        using var activity = ApiTokenInstruments.Source.StartActivity(entry is null ? "ApiTokens cache miss" : "ApiTokens first use");
        var timeout = _options.CurrentValue.StoreTimeout;
        try
        {
            if (entry is null)
            {
                entry = await _cache.LoadAsync(key, secret).WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
                }
            }

            // 4. Admission before anything is judged or recorded: a request from outside the token's
            //    networks records no new app (R33).
            if (entry.Restricted && await _admission.AdmitAsync(entry, appName, remoteAddress, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            // 5. A recorded app is judged; a new one is recorded first (R8), refused at the limit
            //    without a store call (R12), once per node however many requests race.
            if (entry.TryFindApp(appName, out var state, out var app))
            {
                return _uses.Judge(entry, app, state);
            }

            if (entry.AppCount >= _options.CurrentValue.MaxAppsPerToken)
            {
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
            }

            return await entry.RecordAppAsync(appName, _apps).WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!cancellationToken.IsCancellationRequested)
        {
            // R20: a store that hangs is a failing store. The shared call goes on for whoever else
            // waits on it; this request stops waiting.
            Log.StoreTimedOut(_logger);
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.StoreUnavailable);
        }
        catch (ApiTokenStoreException ex)
        {
            // The only place a store failure on the request path is logged.
            Log.StoreFailed(_logger, ex);
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.StoreUnavailable);
        }
    }
}
