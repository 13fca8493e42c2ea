using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using ApiTokens.Diagnostics;
using ApiTokens.Validation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace ApiTokens.RateLimiting.Redis;

// R34 across nodes: each token's window is counted in Redis by RedisRateLimiting's fixed-window
// limiter (a Lua script: the window opens at the token's first request, as the local one does).
// A request waits for Redis at most Budget; a failure or a timeout opens a circuit for
// RetryInterval during which every request counts locally at once (never unlimited, never a 5xx),
// logged once per outage, counted in the meter, and reported Degraded by the health check.
internal sealed partial class RedisSharedRateLimiter : IApiTokenSharedRateLimiter, IHealthCheck, IDisposable
{
    private const int MaxLimiters = 100_000;

    private readonly RedisRateLimitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<ConnectionMultiplexer> _connection;
    private readonly ConcurrentDictionary<(string TokenId, int Limit, int Window), RateLimiter> _limiters = new();
    private readonly Counter<long> _fallbacks;
    private long _openUntil;
    private int _degraded;

    public RedisSharedRateLimiter(IOptions<RedisRateLimitOptions> options, TimeProvider time, IMeterFactory meters, ILogger<RedisSharedRateLimiter> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _fallbacks = meters.Create(ApiTokensTelemetry.MeterName).CreateCounter<long>(
            "apitokens.rate_limit.fallbacks", "{request}", "Requests whose rate limit was counted on this node because Redis was down or slow (R34).");

        // AbortOnConnectFail off: a node starts while Redis is down, counts locally, and joins Redis
        // when it comes back.
        _connection = new(() =>
        {
            var configuration = ConfigurationOptions.Parse(_options.Configuration);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = Math.Max(100, (int)_options.Budget.TotalMilliseconds * 10);
            configuration.SyncTimeout = configuration.AsyncTimeout = Math.Max(100, (int)_options.Budget.TotalMilliseconds * 4);
            return ConnectionMultiplexer.Connect(configuration);
        });
    }

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    public async ValueTask<ApiTokenRateLimitDecision> TryAcquireAsync(string tokenId, ApiTokenRateLimit rateLimit, CancellationToken cancellationToken)
    {
        if (_time.GetTimestamp() < Volatile.Read(ref _openUntil))
        {
            _fallbacks.Add(1);
            return new(ApiTokenRateLimitOutcome.Unavailable, TimeSpan.Zero);
        }

        try
        {
            var limiter = LimiterFor(tokenId, rateLimit);
            using var lease = await limiter.AcquireAsync(1, cancellationToken).AsTask().WaitAsync(_options.Budget, _time, cancellationToken).ConfigureAwait(false);
            Recovered();
            if (lease.IsAcquired)
            {
                return new(ApiTokenRateLimitOutcome.Acquired, TimeSpan.Zero);
            }

            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(rateLimit.WindowSeconds);
            return new(ApiTokenRateLimitOutcome.Refused, retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter);
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException or ObjectDisposedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Open(ex);
            _fallbacks.Add(1);
            return new(ApiTokenRateLimitOutcome.Unavailable, TimeSpan.Zero);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(IsDegraded
            ? HealthCheckResult.Degraded("Redis is down or slow: each node counts token rate limits on its own (n nodes allow up to n × a limit).")
            : HealthCheckResult.Healthy("Token rate limits are counted in Redis."));

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }

        if (_connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }
    }

    // One limiter per token and policy (a changed limit is a new key, so a new count). Bounded: when
    // full, the map starts afresh — the counts themselves live in Redis, so nothing is lost.
    private RateLimiter LimiterFor(string tokenId, ApiTokenRateLimit rateLimit)
    {
        var key = (tokenId, rateLimit.Limit, rateLimit.WindowSeconds);
        if (_limiters.TryGetValue(key, out var limiter))
        {
            return limiter;
        }

        if (_limiters.Count >= MaxLimiters)
        {
            _limiters.Clear();
        }

        return _limiters.GetOrAdd(key, static (k, state) => new RedisFixedWindowRateLimiter<string>(
            $"{state.KeyPrefix}{k.TokenId}:{k.Limit}:{k.Window}",
            new RedisFixedWindowRateLimiterOptions
            {
                PermitLimit = k.Limit,
                Window = TimeSpan.FromSeconds(k.Window),
                ConnectionMultiplexerFactory = () => state.Connection.Value,
            }), (KeyPrefix: _options.KeyPrefix, Connection: _connection));
    }

    private void Open(Exception ex)
    {
        Volatile.Write(ref _openUntil, _time.GetTimestamp() + (long)(_options.RetryInterval.TotalSeconds * _time.TimestampFrequency));
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LogUnavailable(_logger, ex, _options.RetryInterval.TotalSeconds);
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            LogRecovered(_logger);
        }
    }

    [LoggerMessage(60, LogLevel.Warning, "Redis is down or slow: token rate limits are counted on each node until it answers again (retried every {RetrySeconds} s).")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(61, LogLevel.Information, "Redis answers again: token rate limits are counted across nodes.")]
    private static partial void LogRecovered(ILogger logger);
}
