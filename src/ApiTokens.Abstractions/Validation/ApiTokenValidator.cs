using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Diagnostics;
using ApiTokens.LastUse;
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
    private readonly ApiTokenChanges _changes;
    private readonly ILogger _logger;
    private readonly Func<string, Task<ApiTokenLookup?>> _findActive;
    private readonly Func<IReadOnlyList<byte[]>, Task<ApiTokenLookup?[]>> _findActiveMany;
    private readonly Func<CachedApiToken, string, Task<ApiTokenValidationResult>> _recordApp;
    private readonly FailureThrottle _throttle;
    private readonly ApiTokenInstruments _instruments;
    private readonly LastUseRecorder _lastUse;
    private readonly ApiTokenEventDispatcher _events;
    private readonly IApiTokenSharedRateLimiter? _shared;
    private readonly Usage.UsageRecorder _usage;

    internal ApiTokenValidator(
        IServiceScopeFactory scopes,
        ApiTokenCache cache,
        ApiTokenSecretCodec secrets,
        IOptionsMonitor<ApiTokenOptions> options,
        TimeProvider timeProvider,
        ApiTokenChanges changes,
        ApiTokenInstruments instruments,
        LastUseRecorder lastUse,
        ApiTokenEventDispatcher events,
        ILogger<ApiTokenValidator> logger,
        Usage.UsageRecorder usage,
        IApiTokenSharedRateLimiter? shared = null)
    {
        _shared = shared;
        _usage = usage;
        _scopes = scopes;
        _cache = cache;
        _secrets = secrets;
        _options = options;
        _time = timeProvider;
        _changes = changes;
        _logger = logger;
        _findActive = FindActiveAsync;
        _findActiveMany = FindActiveManyAsync;
        _recordApp = RecordAppAsync;
        _throttle = new FailureThrottle(timeProvider);
        _instruments = instruments;
        _lastUse = lastUse;
        _events = events;
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

    /// <summary>Validates a presented secret and application name, without failure throttling.</summary>
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
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, CancellationToken cancellationToken)
        => ValidateAsync(secret, appName, clientKey: null, cancellationToken);

    /// <summary>Validates a presented secret and application name, throttling the client's failures when a key is given (R27).</summary>
    /// <param name="secret">The presented secret; <see langword="null"/> or malformed fails as <see cref="ApiTokenValidationStatus.BadToken"/>.</param>
    /// <param name="appName">
    /// The presented application name; <see langword="null"/> (none sent) or invalid fails as
    /// <see cref="ApiTokenValidationStatus.BadApp"/>, unless the secret is malformed (a bad token
    /// outranks a bad app name).
    /// </param>
    /// <param name="clientKey">
    /// Who sent it, for failure throttling (for example the remote IP address);
    /// <see langword="null"/> is not throttled. Failures (<see cref="ApiTokenValidationStatus.BadToken"/>,
    /// <see cref="ApiTokenValidationStatus.BadApp"/>) are counted per key; a key over
    /// <see cref="ApiTokenOptions.FailureLimit"/> within <see cref="ApiTokenOptions.FailureWindow"/> gets
    /// <see cref="ApiTokenValidationStatus.Throttled"/> for every secret and app not already cached,
    /// without store I/O. Keys are counted, never stored.
    /// </param>
    /// <param name="cancellationToken">Stops this caller waiting; a store read shared with other callers goes on for them.</param>
    /// <returns>
    /// The outcome. Never throws for bad input or a failing store: a store failure
    /// (<see cref="ApiTokenStoreException"/>) is <see cref="ApiTokenValidationStatus.StoreUnavailable"/> (R20).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while this caller waited for the store.</exception>
    public ValueTask<ApiTokenValidationResult> ValidateAsync(string? secret, string? appName, string? clientKey, CancellationToken cancellationToken)
        => ValidateAsync(secret, appName, clientKey, remoteAddress: null, cancellationToken);

    /// <summary>
    /// Validates a presented secret and application name from a known address: as
    /// <see cref="ValidateAsync(string?, string?, string?, CancellationToken)"/>, and then a token's
    /// allowed networks (R33) and rate limit (R34) are judged from the cached entry, without store I/O.
    /// </summary>
    /// <param name="secret">The presented secret.</param>
    /// <param name="appName">The presented application name.</param>
    /// <param name="clientKey">Who sent it, for failure throttling (R27); <see langword="null"/> is not throttled.</param>
    /// <param name="remoteAddress">
    /// The address the request comes from (for HTTP the connection's remote address, as ASP.NET Core
    /// sees it). <see langword="null"/> is inside no network: a token with allowed networks is then
    /// refused with <see cref="ApiTokenValidationStatus.NetworkNotAllowed"/>.
    /// </param>
    /// <param name="cancellationToken">Stops this caller waiting.</param>
    /// <returns>The outcome; never throws for bad input or a failing store.</returns>
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

    private async ValueTask<ApiTokenValidationResult> RecordAsync(ValueTask<ApiTokenValidationResult> validation, long started)
    {
        var result = await validation.ConfigureAwait(false);
        _instruments.Authenticated(result.Status, started);
        return result;
    }

    private ValueTask<ApiTokenValidationResult> ValidateCoreAsync(string? secret, string? appName, string? clientKey, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        // Only well-formed secrets are ever cached, so the cache is asked before the checksum.
        if (string.IsNullOrEmpty(secret) || !_cache.TryComputeKey(secret, out var key))
        {
            return Refuse(ApiTokenValidationStatus.BadToken, clientKey);
        }

        if (appName is null || !IsValidAppName(appName))
        {
            // A bad token outranks a bad app name: without store I/O, a secret counts as a token when it
            // has this service's format (or a UUID's), or is cached; any other shape may be garbage.
            var token = _secrets.HasOwnShape(secret) || _cache.TryGet(key, out _) is not null;
            return Refuse(token ? ApiTokenValidationStatus.BadApp : ApiTokenValidationStatus.BadToken, clientKey);
        }

        var entry = _cache.TryGet(key, out var refresh);
        _instruments.CacheLookup(entry is not null);
        if (entry is not null && entry.TryFindApp(appName, out var state, out var app))
        {
            if (refresh && entry.TryBeginRefresh())
            {
                // Refresh-ahead, once per entry, off this request: it is served from the cache. Queued,
                // not started here: a store whose reads complete synchronously (Microsoft.Data.Sqlite
                // under EF) would otherwise make this request wait for the whole read; and queued
                // entries are reloaded together, one store call per batch (ApiTokenCache.QueueRefresh).
                // The queue holds the store's hash of the secret, never the secret.
                var hash = new byte[ApiTokenSecretCodec.HashLength];
                ApiTokenSecretCodec.Hash(secret, hash);
                _cache.QueueRefresh(key, entry, hash, _findActiveMany);
            }

            // R33, R34: a token's networks and rate limit, from the entry (one branch when it has neither).
            if (entry.Restricted)
            {
                var admission = Admit(entry, appName, remoteAddress, cancellationToken);
                if (!admission.IsCompletedSuccessfully)
                {
                    return JudgeAfterAsync(admission, entry, app, state);
                }

                if (admission.Result is { } refused)
                {
                    return new(refused);
                }
            }

            // A cached token and app: judged here, throttled or not (R27 keeps cached tokens working).
            return new(Judge(entry, app, state));
        }

        if (clientKey is not null && IsThrottled(clientKey, out var throttled))
        {
            return new(throttled);
        }

        if (entry is null && !_secrets.IsWellFormed(secret))
        {
            // Shape or checksum wrong: refused without store I/O (R17).
            return Refuse(ApiTokenValidationStatus.BadToken, clientKey);
        }

        var validation = ValidateSlowAsync(key, entry, secret, appName, remoteAddress, cancellationToken);
        return clientKey is null ? validation : CountFailureAsync(validation, clientKey);
    }

    // A failure counted against the client, or Throttled when it is already over the limit.
    private ValueTask<ApiTokenValidationResult> Refuse(ApiTokenValidationStatus status, string? clientKey)
    {
        if (clientKey is not null)
        {
            if (IsThrottled(clientKey, out var throttled))
            {
                return new(throttled);
            }

            RecordFailure(clientKey);
        }

        return Fail(status);
    }

    private async ValueTask<ApiTokenValidationResult> CountFailureAsync(ValueTask<ApiTokenValidationResult> validation, string clientKey)
    {
        var result = await validation.ConfigureAwait(false);
        if (result.Status is ApiTokenValidationStatus.BadToken or ApiTokenValidationStatus.BadApp)
        {
            RecordFailure(clientKey);
        }

        return result;
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
        if (IsThrottled(clientKey, out var throttled))
        {
            retryAfter = throttled.RetryAfter ?? TimeSpan.Zero;
            return false;
        }

        RecordFailure(clientKey);
        retryAfter = TimeSpan.Zero;
        return true;
    }

    private bool IsThrottled(string clientKey, out ApiTokenValidationResult result)
    {
        var options = _options.CurrentValue;
        if (_throttle.IsThrottled(clientKey, options.FailureLimit, options.FailureWindow, out var retryAfter))
        {
            result = ApiTokenValidationResult.Throttled(retryAfter);
            return true;
        }

        result = null!;
        return false;
    }

    private void RecordFailure(string clientKey)
    {
        var options = _options.CurrentValue;
        if (options.FailureLimit > 0)
        {
            _throttle.RecordFailure(clientKey, options.FailureWindow);
        }
    }

    private static ValueTask<ApiTokenValidationResult> Fail(ApiTokenValidationStatus status) => new(ApiTokenValidationResult.Fail(status));

    // R33, R34: null when the request may use the token; otherwise its refusal. Synchronous and
    // allocation-free unless a shared limiter is asked or the request is refused.
    private ValueTask<ApiTokenValidationResult?> Admit(CachedApiToken entry, string appName, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        if (entry.Networks is { } networks && !CompiledNetwork.Contains(networks, remoteAddress))
        {
            CountLimited(entry, appName);
            AuditRefusal(entry, appName, ApiTokenAuditActions.NetworkRefused, new ApiTokenAuditChange("address", null, remoteAddress?.ToString() ?? "unknown"));
            return new(ApiTokenValidationResult.Fail(ApiTokenValidationStatus.NetworkNotAllowed));
        }

        if (entry.Limiter is { } limiter)
        {
            if (_shared is { } shared)
            {
                return AdmitSharedAsync(shared, entry, limiter, appName, cancellationToken);
            }

            if (!limiter.TryAcquire(MonotonicClock.NowMs(_time), out var retryAfter))
            {
                return new(RateLimited(entry, limiter, appName, retryAfter));
            }
        }

        return new((ApiTokenValidationResult?)null);
    }

    private async ValueTask<ApiTokenValidationResult?> AdmitSharedAsync(IApiTokenSharedRateLimiter shared, CachedApiToken entry, TokenRateLimiter limiter, string appName, CancellationToken cancellationToken)
    {
        var decision = await shared.TryAcquireAsync(entry.TokenId, limiter.Policy, cancellationToken).ConfigureAwait(false);
        switch (decision.Outcome)
        {
            case ApiTokenRateLimitOutcome.Acquired:
                // Counted locally too, so that a node that loses the shared store goes on from
                // where it was rather than from zero.
                limiter.TryAcquire(MonotonicClock.NowMs(_time), out _);
                return null;
            case ApiTokenRateLimitOutcome.Refused:
                return RateLimited(entry, limiter, appName, decision.RetryAfter);
            default:
                return limiter.TryAcquire(MonotonicClock.NowMs(_time), out var retryAfter) ? null : RateLimited(entry, limiter, appName, retryAfter);
        }
    }

    // R35: a request refused by R33 or R34, counted for its app (recorded or not).
    private void CountLimited(CachedApiToken entry, string appName)
    {
        if (entry.TryFindApp(appName, out _, out var app))
        {
            _usage.Count(entry.GetUsageSlot(app), Usage.UsageOutcome.Limited);
        }
        else
        {
            _usage.CountUnslotted(entry.TokenId, appName, Usage.UsageOutcome.Limited);
        }
    }

    private ApiTokenValidationResult RateLimited(CachedApiToken entry, TokenRateLimiter limiter, string appName, TimeSpan retryAfter)
    {
        CountLimited(entry, appName);
        AuditRefusal(entry, appName, ApiTokenAuditActions.RateLimited, new ApiTokenAuditChange("rateLimit", null, limiter.Policy.ToString()));
        return ApiTokenValidationResult.RateLimited(limiter.Policy, retryAfter);
    }

    private async ValueTask<ApiTokenValidationResult> JudgeAfterAsync(ValueTask<ApiTokenValidationResult?> admission, CachedApiToken entry, int app, AppState state)
        => await admission.ConfigureAwait(false) ?? Judge(entry, app, state);

    // The first refusal of a token in each minute becomes an audit record (and an event), so its
    // owner sees "blocked from 203.0.113.9" — written off the request, never one per request.
    private void AuditRefusal(CachedApiToken entry, string appName, string action, ApiTokenAuditChange detail)
    {
        var now = _time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        if (Interlocked.Exchange(ref entry.LastRefusalAuditMinute, minute) == minute)
        {
            return;
        }

        var record = AuditRecords.Create(entry.TokenId, entry.AccountId, now, AuditRecords.App(appName), action, [new("app", null, appName), detail]);
        // On the thread pool: a store whose writes complete synchronously (SQLite) must not make the
        // refused request wait for the write.
        _ = Task.Run(() => WriteRefusalAsync(record));
    }

    private async Task WriteRefusalAsync(ApiTokenAuditRecord record)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IApiTokenStore>().AppendAuditAsync(record, CancellationToken.None).ConfigureAwait(false);
            await _events.PublishAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nobody awaits this task: whatever failed is logged, never left unobserved.
            Log.RefusalNotAudited(_logger, ex, record.TokenId);
        }
    }

    // R8, R9: a recorded app is judged by its own state. The only place that judges an app, and so
    // the only place a successful use is recorded (R22: a mark in memory, no store write).
    // app: the app's position in the entry (CachedApiToken.TryFindApp).
    private ApiTokenValidationResult Judge(CachedApiToken entry, int app, AppState state)
    {
        // R35: every judged request is counted per (token, app, day) by outcome, in memory.
        switch (state)
        {
            case AppState.Allow:
                var use = entry.GetUse(app);
                _lastUse.Record(use);
                _usage.Count(entry.GetUsageSlot(app), Usage.UsageOutcome.Allowed);
                return use.Success;
            case AppState.Pending:
                _usage.Count(entry.GetUsageSlot(app), Usage.UsageOutcome.Pending);
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.PendingApp);
            default:
                _usage.Count(entry.GetUsageSlot(app), Usage.UsageOutcome.Denied);
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.DeniedApp);
        }
    }

    private async ValueTask<ApiTokenValidationResult> ValidateSlowAsync(UInt128 key, CachedApiToken? entry, string secret, string appName, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        // R25: a span for the slow path (a miss, or a first use), never for a cache hit.
        using var activity = ApiTokenInstruments.Source.StartActivity(entry is null ? "ApiTokens cache miss" : "ApiTokens first use");
        try
        {
            if (entry is null)
            {
                entry = await _cache.LoadAsync(key, secret, _findActive).WaitAsync(_options.CurrentValue.StoreTimeout, _time, cancellationToken).ConfigureAwait(false);
                if (entry is null)
                {
                    return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
                }

                // R33, R34 before anything else is judged or recorded: a request from outside the
                // token's networks records no new app.
                if (entry.Restricted && await Admit(entry, appName, remoteAddress, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                if (entry.TryFindApp(appName, out var state, out var app))
                {
                    return Judge(entry, app, state);
                }
            }
            else if (entry.Restricted && await Admit(entry, appName, remoteAddress, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            // A new app (R8, R12): refused at the limit without a store call; otherwise recorded once
            // per node however many requests race (the store makes it once across nodes).
            if (entry.AppCount >= _options.CurrentValue.MaxAppsPerToken)
            {
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
            }

            return await entry.RecordAppAsync(appName, _recordApp).WaitAsync(_options.CurrentValue.StoreTimeout, _time, cancellationToken).ConfigureAwait(false);
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

    // The active token a well-formed secret belongs to, with its effective privilege (R13, R15), or
    // null when it is unknown, retired, expired (R21), a previous secret past its grace (R23), or a
    // user token whose owner is no longer a member. Each of those fails exactly like an unknown secret.
    private async Task<ApiTokenLookup?> FindActiveAsync(string secret)
    {
        var hash = new byte[ApiTokenSecretCodec.HashLength];
        ApiTokenSecretCodec.Hash(secret, hash);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var token = await TimedAsync("find", static (s, h) => s.FindActiveBySecretHashAsync(h, CancellationToken.None), store, hash).ConfigureAwait(false);
            return await ResolveAsync(token, hash, scope.ServiceProvider).ConfigureAwait(false);
        }
    }

    // The reloads of a refresh-ahead batch: one store call for every hash, then each hash judged as
    // FindActiveAsync judges one. Bounded by StoreTimeout like the request path (R20); a failure is
    // logged here and leaves the batch's entries to expire (the next miss reports the outage).
    private async Task<ApiTokenLookup?[]> FindActiveManyAsync(IReadOnlyList<byte[]> hashes)
    {
        try
        {
            return await FindActiveManyCoreAsync(hashes).WaitAsync(_options.CurrentValue.StoreTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.RefreshFailed(_logger, null, hashes.Count);
            throw;
        }
        catch (Exception ex)
        {
            Log.RefreshFailed(_logger, ex, hashes.Count);
            throw;
        }
    }

    private async Task<ApiTokenLookup?[]> FindActiveManyCoreAsync(IReadOnlyList<byte[]> hashes)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var memory = new ReadOnlyMemory<byte>[hashes.Count];
            for (var i = 0; i < memory.Length; i++)
            {
                memory[i] = hashes[i];
            }

            var tokens = await TimedAsync("find_many", static (s, h) => s.FindActiveBySecretHashesAsync(h, CancellationToken.None), store, memory).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var admitted = new (ApiToken Token, bool Previous, DateTimeOffset? ValidUntil)?[hashes.Count];
            Dictionary<string, HashSet<string>>? owners = null;
            for (var i = 0; i < admitted.Length; i++)
            {
                var hash = hashes[i];
                var token = tokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(t.SecretHash, hash)
                    || (t.PreviousSecretHash is { } previous && CryptographicOperations.FixedTimeEquals(previous, hash)));
                if (TryAdmit(token, hash, now, out var isPrevious, out var validUntil))
                {
                    admitted[i] = (token!, isPrevious, validUntil);
                    if (token!.Type == TokenType.User)
                    {
                        owners ??= new(StringComparer.Ordinal);
                        if (!owners.TryGetValue(token.AccountId, out var users))
                        {
                            owners[token.AccountId] = users = new(StringComparer.Ordinal);
                        }

                        users.Add(token.OwnerId!);
                    }
                }
            }

            // The owners' roles (R15): one membership call per account in the batch, not one per token.
            var roles = new Dictionary<string, IReadOnlyDictionary<string, TokenPrivilege>>(StringComparer.Ordinal);
            if (owners is not null)
            {
                var membership = scope.ServiceProvider.GetRequiredService<IAccountMembership>();
                foreach (var (accountId, users) in owners)
                {
                    roles[accountId] = await membership.GetRolesAsync(accountId, users, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var lookups = new ApiTokenLookup?[hashes.Count];
            for (var i = 0; i < lookups.Length; i++)
            {
                if (admitted[i] is var (token, isPrevious, validUntil))
                {
                    TokenPrivilege? ownerRole = token.Type == TokenType.User && roles[token.AccountId].TryGetValue(token.OwnerId!, out var role) ? role : null;
                    lookups[i] = Effective(token, ownerRole, isPrevious, validUntil);
                }
            }

            return lookups;
        }
    }

    // Judges the token a hash found (R13, R15, R21, R23): see FindActiveAsync.
    private async ValueTask<ApiTokenLookup?> ResolveAsync(ApiToken? token, byte[] hash, IServiceProvider services)
    {
        if (!TryAdmit(token, hash, _time.GetUtcNow(), out var previous, out var validUntil))
        {
            return null;
        }

        TokenPrivilege? ownerRole = null;
        if (token!.Type == TokenType.User)
        {
            var membership = services.GetRequiredService<IAccountMembership>();
            ownerRole = await membership.GetRoleAsync(token.AccountId, token.OwnerId!, CancellationToken.None).ConfigureAwait(false);
        }

        return Effective(token, ownerRole, previous, validUntil);
    }

    // Whether the token a hash found can authenticate now, before its owner's role is known: not
    // retired, not expired (R21), a previous secret only within its grace (R23), a user token with an
    // owner. validUntil: until when this secret authenticates (the cache never serves it past that).
    private static bool TryAdmit(ApiToken? token, byte[] hash, DateTimeOffset now, out bool previous, out DateTimeOffset? validUntil)
    {
        previous = false;
        validUntil = null;
        if (token is null || token.IsRetired || token.IsExpiredAt(now) || (token.Type == TokenType.User && token.OwnerId is null))
        {
            return false;
        }

        previous = !CryptographicOperations.FixedTimeEquals(token.SecretHash, hash);
        if (previous
            && (token.PreviousSecretHash is null
                || !CryptographicOperations.FixedTimeEquals(token.PreviousSecretHash, hash)
                || token.PreviousSecretExpiresAt is not { } graceEnds
                || now >= graceEnds))
        {
            return false;
        }

        validUntil = token.ExpiresAt;
        if (previous && (validUntil is null || token.PreviousSecretExpiresAt < validUntil))
        {
            validUntil = token.PreviousSecretExpiresAt;
        }

        return true;
    }

    // The effective privilege with the owner's role (R13, R15); a user token whose owner is no longer
    // a member has none.
    private static ApiTokenLookup? Effective(ApiToken token, TokenPrivilege? ownerRole, bool previous, DateTimeOffset? validUntil)
        => TokenAccessPolicy.Effective(token, ownerRole) is { } effective ? new ApiTokenLookup(token, effective, validUntil, previous) : null;

    // R25: a span and a duration for each store call of the flow; failures tagged with their type.
    private async Task<T> TimedAsync<TArg, T>(string operation, Func<IApiTokenStore, TArg, Task<T>> call, IApiTokenStore store, TArg argument)
    {
        using var activity = ApiTokenInstruments.Source.StartActivity("ApiTokens store " + operation, ActivityKind.Client);
        var started = _instruments.StoreStarted();
        try
        {
            var result = await call(store, argument).ConfigureAwait(false);
            _instruments.StoreCompleted(operation, started, error: null);
            return result;
        }
        catch (Exception ex)
        {
            _instruments.StoreCompleted(operation, started, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    // Records a new app under a cached token with the token's default state, then judges it (R8, R12).
    private async Task<ApiTokenValidationResult> RecordAppAsync(CachedApiToken entry, string appName)
    {
        var now = _time.GetUtcNow();

        // R24: the first sight of an app, written with it (only by the call that records it).
        var audit = AuditRecords.Create(
            entry.TokenId,
            entry.AccountId,
            now,
            AuditRecords.App(appName),
            ApiTokenAuditActions.AppFirstSeen,
            new("app", null, appName),
            new("state", null, AuditRecords.Wire(entry.DefaultAppState)));

        // Taken before the write: the cache takes the result in only if nothing else changed since.
        var stamp = _cache.ReadStamp();
        ApiTokenAppRecording recording;
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var app = new TokenApp(appName, entry.DefaultAppState, now);
            var maxApps = _options.CurrentValue.MaxAppsPerToken;
            recording = await TimedAsync("record_app", (s, a) => s.RecordAppAsync(entry.TokenId, a, maxApps, audit, CancellationToken.None), store, app).ConfigureAwait(false);
        }

        var stored = recording.Token;
        if (stored is null || stored.IsRetired)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        // Judged on the token as stored now, with the privilege looked up with the entry.
        CachedApiToken? judged = null;
        if (recording.Recorded && stored.Version == entry.Version + 1)
        {
            // Only this app was added since the entry was read: the entry is updated in place, so
            // the token's next request is a hit (R27 keeps cached tokens working for a throttled
            // client), and every other listener and node hears of the change (R18, R26).
            judged = _cache.TryTakeFirstUse(entry, stored, stamp);
            _changes.Changed(entry.TokenId, applied: judged is null ? null : _cache);
        }
        else if (stored.Version != entry.Version)
        {
            // Anything else changed the token (or the cache could not take this write in): every
            // cache drops it and reads it again.
            _changes.Changed(entry.TokenId);
        }

        judged ??= new CachedApiToken(stored, entry.EffectivePrivilege, entry.PreviousSecretExpiresAt, expiresAt: 0, limiter: entry.Limiter);
        if (!judged.TryFindApp(appName, out var state, out var position))
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
        }

        if (recording.Recorded)
        {
            // This call recorded it (the store says so): tell the handlers, off the request path.
            Log.AppRecorded(_logger, appName, entry.TokenId, state);
            _events.PublishInBackground(audit);
        }

        return Judge(judged, position, state);
    }
}
