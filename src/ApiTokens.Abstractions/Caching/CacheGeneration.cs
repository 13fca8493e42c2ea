using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.Caching;

// Job: one immutable set of cache settings with the storage built from them. CacheLifetime and
// CacheSizeLimit follow a reload of ApiTokenOptions, and the R26 channel's state shortens the
// lifetime: the settings, the MemoryCache and the token index are swapped as a whole
// (ApiTokenCache.Swap), so a request never sees a lifetime of one generation with the entries of
// another, and a new generation starts empty.
internal sealed class CacheGeneration
{
    private static readonly TimeSpan s_maxRefreshBatchDelay = TimeSpan.FromSeconds(1);

    public CacheGeneration(ApiTokenOptions options, bool degraded, TimeProvider time)
    {
        Lifetime = degraded && options.CacheLifetime > options.DegradedCacheLifetime ? options.DegradedCacheLifetime : options.CacheLifetime;
        SizeLimit = options.CacheSizeLimit;
        Enabled = Lifetime > TimeSpan.Zero;
        LifetimeTicks = (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
        Cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = SizeLimit, CompactionPercentage = 0.1 });
        RefreshBatchDelay = Lifetime / 50 < s_maxRefreshBatchDelay ? Lifetime / 50 : s_maxRefreshBatchDelay;
        EntryOptions = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Enabled ? Lifetime : TimeSpan.FromSeconds(1) };
    }

    public TimeSpan Lifetime { get; }

    public long SizeLimit { get; }

    public bool Enabled { get; }

    // The lifetime in TimeProvider timestamp units.
    public long LifetimeTicks { get; }

    // How long the first entry due waits for others to share its reload: 2 % of the lifetime,
    // at most 1 s (refreshes start at 70 % of the lifetime, so the reload still lands before 92 %).
    public TimeSpan RefreshBatchDelay { get; }

    public MemoryCache Cache { get; }

    public MemoryCacheEntryOptions EntryOptions { get; }

    public TokenIndex Index { get; } = new();

    public bool SameSettings(CacheGeneration other) => Lifetime == other.Lifetime && SizeLimit == other.SizeLimit;

    // Between 70 % and 90 % of the lifetime counted from the read, at random per entry, so entries
    // loaded in the same second (a start-up, a reconnect) do not all reload in the same second.
    public long RefreshPoint(long readAt) => readAt + (long)(LifetimeTicks * (0.7 + (Random.Shared.NextDouble() * 0.2)));
}
