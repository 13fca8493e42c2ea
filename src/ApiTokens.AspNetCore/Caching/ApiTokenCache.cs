using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.AspNetCore.Caching;

// The hot-path cache of one authentication scheme.
//
// Keys: a keyed BLAKE3 hash (128 bits) of the presented secret under a random per-process key.
// The cache never holds a secret: a heap dump shows keys that cannot be reversed (256-bit secrets)
// nor recomputed without the process key. BLAKE3 on a 53-character input costs a fraction of
// SHA-256's time, and the stored SHA-256 hash is only computed on a miss. A 128-bit key makes an
// accidental collision (two secrets, one entry) a 2^-64 event even at billions of tokens.
//
// Invalidation (R18): the manager and validator call OnTokenChanged before their change returns;
// the entry is marked invalid and dropped, so the next request on this node reloads. A load that
// overlaps a change is not cached (the change stamp moved), so a stale read cannot be re-inserted.
internal sealed class ApiTokenCache : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, CachedApiToken> _byTokenId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<UInt128, Lazy<Task<CachedApiToken?>>> _loading = new();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly long _lifetimeTicks;
    private readonly MemoryCacheEntryOptions _entryOptions;
    private long _changeStamp;

    public ApiTokenCache(string scheme, TimeSpan lifetime, long sizeLimit, TimeProvider time)
    {
        Scheme = scheme;
        _time = time;
        Enabled = lifetime > TimeSpan.Zero;
        _lifetimeTicks = (long)(lifetime.TotalSeconds * time.TimestampFrequency);
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = sizeLimit, CompactionPercentage = 0.1 });
        _entryOptions = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Enabled ? lifetime : TimeSpan.FromSeconds(1) };
        _entryOptions.RegisterPostEvictionCallback(static (_, value, _, state) => ((ApiTokenCache)state!).OnEvicted((CachedApiToken)value!), this);
    }

    public string Scheme { get; }

    public bool Enabled { get; }

    public long Count => _cache.Count;

    public UInt128 ComputeKey(ReadOnlySpan<char> secret)
    {
        using var hasher = Blake3.Hasher.NewKeyed(_key);
        hasher.Update(MemoryMarshal.AsBytes(secret));
        Span<byte> hash = stackalloc byte[16];
        hasher.Finalize(hash);
        return MemoryMarshal.Read<UInt128>(hash);
    }

    public CachedApiToken? TryGet(UInt128 key)
    {
        if (!Enabled || !_cache.TryGetValue(key, out var value))
        {
            return null;
        }

        var entry = (CachedApiToken)value!;
        if (entry.IsInvalidated || _time.GetTimestamp() >= entry.ExpiresAt)
        {
            return null;
        }

        return entry;
    }

    // Coalesces concurrent misses for one secret into one store read.
    public async Task<CachedApiToken?> LoadAsync(UInt128 key, Func<Task<ApiTokenLookup?>> load)
    {
        var lazy = _loading.GetOrAdd(key, static (k, state) => new Lazy<Task<CachedApiToken?>>(() => state.self.LoadCoreAsync(k, state.load)), (self: this, load));
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        finally
        {
            _loading.TryRemove(new KeyValuePair<UInt128, Lazy<Task<CachedApiToken?>>>(key, lazy));
        }
    }

    public void Invalidate(string tokenId)
    {
        Interlocked.Increment(ref _changeStamp);
        if (_byTokenId.TryRemove(tokenId, out var entry))
        {
            entry.Invalidate();
        }
    }

    public void Dispose() => _cache.Dispose();

    private async Task<CachedApiToken?> LoadCoreAsync(UInt128 key, Func<Task<ApiTokenLookup?>> load)
    {
        var stamp = Volatile.Read(ref _changeStamp);
        var lookup = await load().ConfigureAwait(false);
        if (lookup is null)
        {
            return null;
        }

        var entry = new CachedApiToken(lookup, _time.GetTimestamp() + _lifetimeTicks, Scheme);
        if (!Enabled)
        {
            return entry;
        }

        _byTokenId.AddOrUpdate(
            lookup.Token.Id,
            static (_, fresh) => fresh,
            static (_, old, fresh) =>
            {
                old.Invalidate();
                return fresh;
            },
            entry);
        if (Volatile.Read(ref _changeStamp) != stamp)
        {
            // A change landed while we read: this entry may predate it. Serve it to the requests that
            // asked (they overlapped the change), but keep it out of the cache.
            entry.Invalidate();
            _byTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(lookup.Token.Id, entry));
            return entry;
        }

        _cache.Set(key, entry, _entryOptions);
        return entry;
    }

    private void OnEvicted(CachedApiToken entry)
        => _byTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(entry.Lookup.Token.Id, entry));
}
