namespace ApiTokens.RateLimiting.Redis;

/// <summary>How ApiTokens counts rate limits in Redis (R34).</summary>
public sealed class RedisRateLimitOptions
{
    /// <summary>
    /// The StackExchange.Redis configuration (for example <c>localhost:6379</c> or
    /// <c>redis.internal:6379,password=…,ssl=true</c>).
    /// </summary>
    public string Configuration { get; set; } = "";

    /// <summary>The prefix of every key this package writes. Default: <c>apitokens:rl:</c>.</summary>
    public string KeyPrefix { get; set; } = "apitokens:rl:";

    /// <summary>
    /// The longest a request waits for Redis before the node counts on its own. Default: 50 ms —
    /// Redis answers a healthy request in well under a millisecond; beyond this it is slow.
    /// </summary>
    public TimeSpan Budget { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// After Redis failed or was slow, how long every request counts locally before Redis is tried
    /// again (so a down Redis costs nothing per request). Default: 5 seconds.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}
