namespace ApiTokens.Caching;

// R34 on one node: a fixed window per token that starts at the first request after the previous
// window ended, counted with one compare-and-swap on a single long — (window start in ms << 24) |
// count — so a hit takes no lock and allocates nothing. Shared by every cached entry of the token
// (its current and previous secret; an entry rebuilt after a change or a first use), through
// RateLimiters.
//
// Why not System.Threading.RateLimiting's FixedWindowRateLimiter: it reads the clock from Stopwatch
// (no TimeProvider, so neither the host's clock nor FakeTimeProvider in tests), replenishes on a
// Timer per limiter (one timer per cached token) or by a sweeper calling TryReplenish, and allocates
// a lease for every refusal; its windows start when the limiter is made, not at a token's first
// request. The shared (Redis) limiter does use a RateLimiter (RedisRateLimiting).
internal sealed class TokenRateLimiter
{
    private const int CountBits = 24;
    private const long CountMask = (1L << CountBits) - 1;

    private readonly long _origin;
    private readonly long _windowMs;
    private long _state;

    public TokenRateLimiter(ApiTokenRateLimit policy, TimeProvider time)
    {
        Policy = policy;
        _windowMs = policy.WindowSeconds * 1000L;

        // The first request opens a window: the clock starts one window in, so start 0 has passed.
        _origin = MonotonicClock.NowMs(time);
    }

    public ApiTokenRateLimit Policy { get; }

    public bool TryAcquire(long nowMs, out TimeSpan retryAfter)
    {
        var now = nowMs - _origin + _windowMs;
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var start = state >> CountBits;
            var count = state & CountMask;
            long next;
            if (now - start >= _windowMs)
            {
                next = (now << CountBits) | 1;
            }
            else if (count < Policy.Limit)
            {
                next = state + 1;
            }
            else
            {
                retryAfter = TimeSpan.FromMilliseconds(Math.Max(1, start + _windowMs - now));
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, next, state) == state)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }
    }
}
