using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.AspNetCore.Caching;

// The hot-path cache of one authentication scheme.
//
// Keys: 128 bits of BLAKE3(process key ‖ secret), where the 256-bit process key comes from
// RandomNumberGenerator at start-up. Why this is safe:
// - The cache never holds a secret: a heap dump shows keys, and BLAKE3 is one-way, so no key can be
//   turned back into a secret (256 random bits; UUID secrets 122).
// - A cache hit authenticates on the key alone, so a forged credential would need another
//   well-formed secret with the same key: a second-preimage attack on BLAKE3 (still infeasible if a
//   dump reveals the process key), or, without the process key, blind guessing of a 128-bit value.
// - BLAKE3 is not open to length extension, so prefixing the key makes a sound keyed hash.
// - 128 bits make an accidental collision (two live secrets, one entry) a 2^-64 event at 2^32 tokens.
// Why not SHA-256 (which the store uses): on the 2-core build machine it costs ≈ 0.40 µs per call
// through OpenSSL; one-shot BLAKE3 on the same input ≈ 0.10 µs with no allocation (see benchmarks/).
// A miss still computes SHA-256 once, to look the token up in the store.
//
// Invalidation (R18): the manager and validator call OnTokenChanged before their change returns;
// the entry is marked invalid and dropped, so the next request on this node reloads. A load that
// overlaps a change is not cached (the change stamp moved), so a stale read cannot be re-inserted.
internal sealed class ApiTokenCache : IDisposable
{
    public const int MaxSecretLength = 96;
    private const int KeyLength = 32;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(KeyLength);
    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, CachedApiToken> _byTokenId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<UInt128, Lazy<Task<CachedApiToken?>>> _loading = new();
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

    // key ‖ ASCII of the secret, hashed in one shot on the stack. Every valid secret is ASCII, so a
    // non-ASCII value has no key (it cannot be anyone's secret) and the caller refuses it.
    public bool TryComputeKey(ReadOnlySpan<char> secret, out UInt128 key)
    {
        key = default;
        if (secret.Length > MaxSecretLength || !System.Text.Ascii.IsValid(secret))
        {
            return false;
        }

        Span<byte> input = stackalloc byte[KeyLength + MaxSecretLength];
        _key.CopyTo(input);
        System.Text.Ascii.FromUtf16(secret, input[KeyLength..], out var written);
        Span<byte> hash = stackalloc byte[32];
        Blake3.Hasher.Hash(input[..(KeyLength + written)], hash);
        input.Clear();
        key = MemoryMarshal.Read<UInt128>(hash);
        return true;
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
