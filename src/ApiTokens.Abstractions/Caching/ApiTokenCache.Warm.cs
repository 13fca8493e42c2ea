using System.Collections.Concurrent;
using ApiTokens.Validation;

namespace ApiTokens.Caching;

// A restarted node's first requests: the cache's keys need the secret (CacheKeys), so nothing stored
// can fill the cache itself. What can be filled is the step before it: lookups of the tokens used
// most recently, read in batches at start and held by the store's SHA-256 of their secrets — the
// hash a miss computes anyway. A miss whose hash is here becomes an entry without store I/O. A warm
// lookup is taken once, lives at most CacheLifetime from its read, is dropped when its token changes
// (R18, R26) and when the cache restarts (the cross-node channel reconnecting), and is never added
// when any change landed while the batch was read (the ChangeStamp, as for every entry).
internal sealed partial class ApiTokenCache
{
    private readonly ConcurrentDictionary<string, WarmLookup> _warm = new(StringComparer.Ordinal);

    public int WarmCount => _warm.Count;

    public long WarmStamp() => _stamp.Read();

    // Lookups read after the stamp was `stamp`, starting at `readAt`: kept unless a change landed since.
    public bool Warm(IReadOnlyList<(byte[] Hash, ApiTokenLookup Lookup)> lookups, long stamp, long readAt)
    {
        if (!_current.Enabled)
        {
            return false;
        }

        foreach (var (hash, lookup) in lookups)
        {
            _warm[Convert.ToBase64String(hash)] = new WarmLookup(lookup, readAt);
        }

        if (_stamp.Unchanged(stamp))
        {
            return true;
        }

        // Something changed while the batch was read: none of it can be trusted.
        _warm.Clear();
        return false;
    }

    private bool TryTakeWarm(byte[] hash, CacheGeneration generation, out ApiTokenLookup lookup, out long readAt)
    {
        lookup = null!;
        readAt = 0;
        if (_warm.IsEmpty
            || !_warm.TryRemove(Convert.ToBase64String(hash), out var warm)
            || _time.GetTimestamp() - warm.ReadAt >= generation.LifetimeTicks
            || (warm.Lookup.ValidUntil is { } validUntil && validUntil <= _time.GetUtcNow()))
        {
            return false;
        }

        (lookup, readAt) = (warm.Lookup, warm.ReadAt);
        return true;
    }

    private void ForgetWarm(string tokenId)
    {
        if (_warm.IsEmpty)
        {
            return;
        }

        foreach (var (hash, warm) in _warm)
        {
            if (warm.Lookup.Token.Id == tokenId)
            {
                _warm.TryRemove(hash, out _);
            }
        }
    }

    private sealed record WarmLookup(ApiTokenLookup Lookup, long ReadAt);
}
