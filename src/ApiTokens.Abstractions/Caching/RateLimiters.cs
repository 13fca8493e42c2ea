using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ApiTokens.Caching;

// One limiter per token and node (R34), found by token id when one of the token's entries is
// built — on a miss, a refresh or a first use, never on a hit — so every entry of a token counts
// against one window. Held by the entries themselves; this registry only lets a rebuilt entry find
// the count it continues, and forgets a token as the cache does: bounded by CacheSizeLimit, sliding
// on the window (or the cache lifetime, when longer).
internal sealed class RateLimiters : IDisposable
{
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly MemoryCache _limiters;

    public RateLimiters(IOptionsMonitor<ApiTokenOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _limiters = new MemoryCache(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.CurrentValue.CacheSizeLimit), Clock = new Clock(time) });
    }

    // The limiter of a token's own limit or the default one; null when neither applies. A changed
    // limit starts a new count (it takes effect on the next request, R18).
    public TokenRateLimiter? For(ApiToken token)
    {
        var policy = token.RateLimit ?? _options.CurrentValue.DefaultRateLimit;
        if (policy is null || !policy.IsValid)
        {
            _limiters.Remove(token.Id);
            return null;
        }

        if (_limiters.TryGetValue(token.Id, out TokenRateLimiter? limiter) && limiter!.Policy == policy)
        {
            return limiter;
        }

        limiter = new TokenRateLimiter(policy, _time);
        var keep = TimeSpan.FromSeconds(policy.WindowSeconds);
        var lifetime = _options.CurrentValue.CacheLifetime;
        _limiters.Set(token.Id, limiter, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = (keep > lifetime ? keep : lifetime) + TimeSpan.FromMinutes(1) });
        return limiter;
    }

    public void Dispose() => _limiters.Dispose();

    private sealed class Clock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
