using ApiTokens;
using ApiTokens.RateLimiting.Redis;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers rate limits counted in Redis across nodes.</summary>
public static class RedisRateLimitsApiTokensBuilderExtensions
{
    /// <summary>
    /// Counts every token's rate limit (R34) in Redis, so all nodes together allow the limit, not
    /// n × the limit. A request waits for Redis at most <see cref="RedisRateLimitOptions.Budget"/>;
    /// when Redis is down or slow each node counts on its own at once (logged once, counted in the
    /// <c>apitokens.rate_limit.fallbacks</c> meter, and the <c>apitokens-rate-limits</c> health check
    /// reports Degraded) — never unlimited, never a failed request. A cache hit still does no store I/O.
    /// </summary>
    /// <param name="builder">The ApiTokens builder.</param>
    /// <param name="configuration">The StackExchange.Redis configuration, for example <c>localhost:6379</c>.</param>
    /// <param name="configure">Further options.</param>
    /// <returns>The builder.</returns>
    public static ApiTokensBuilder AddRedisRateLimits(this ApiTokensBuilder builder, string configuration, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var services = builder.Services;
        services.AddOptions<RedisRateLimitOptions>()
            .Configure(o =>
            {
                o.Configuration = configuration;
                configure?.Invoke(o);
            })
            .Validate(o => o.Budget > TimeSpan.Zero && o.Budget <= TimeSpan.FromSeconds(5), "RedisRateLimitOptions.Budget must be more than 0 and at most 5 seconds.")
            .Validate(o => o.RetryInterval >= TimeSpan.Zero && o.RetryInterval <= TimeSpan.FromMinutes(10), "RedisRateLimitOptions.RetryInterval must be from 0 to 10 minutes.")
            .Validate(o => !string.IsNullOrEmpty(o.KeyPrefix), "RedisRateLimitOptions.KeyPrefix must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<RedisSharedRateLimiter>();
        services.TryAddSingleton<IApiTokenSharedRateLimiter>(static sp => sp.GetRequiredService<RedisSharedRateLimiter>());
        services.AddHealthChecks().AddCheck<RedisSharedRateLimiter>("apitokens-rate-limits", tags: ["apitokens"]);
        return builder;
    }
}
