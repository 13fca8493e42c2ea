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

    // Orders the warm map with the change stamp: a change advances the stamp and forgets its token's
    // warm lookup in one step, so a request that read the stamp after a change never takes that
    // token's older lookup (its own reads happen after the stamp; a warm lookup's did not).
    private readonly Lock _warmLock = new();

    public int WarmCount => _warm.Count;

    public long WarmStamp() => _stamp.Read();

    // Lookups read after the stamp was `stamp`, starting at `readAt`: kept unless a change landed since.
    public bool Warm(IReadOnlyList<(byte[] Hash, ApiTokenLookup Lookup)> lookups, long stamp, long readAt)
    {
        if (!_current.Enabled)
        {
            return false;
        }

        lock (_warmLock)
        {
            // Something changed while the batch was read: none of it can be trusted.
            if (!_stamp.Unchanged(stamp))
            {
                return false;
            }

            foreach (var (hash, lookup) in lookups)
            {
                _warm[Convert.ToBase64String(hash)] = new WarmLookup(lookup, readAt);
            }

            return true;
        }
    }

    private bool TryTakeWarm(byte[] hash, CacheGeneration generation, out ApiTokenLookup lookup, out long readAt)
    {
        lookup = null!;
        readAt = 0;
        if (_warm.IsEmpty)
        {
            return false;
        }

        WarmLookup? warm;
        lock (_warmLock)
        {
            _warm.TryRemove(Convert.ToBase64String(hash), out warm);
        }

        if (warm is null
            || _time.GetTimestamp() - warm.ReadAt >= generation.LifetimeTicks
            || (warm.Lookup.ValidUntil is { } validUntil && validUntil <= _time.GetUtcNow()))
        {
            return false;
        }

        (lookup, readAt) = (warm.Lookup, warm.ReadAt);
        return true;
    }

    // A change: the stamp advanced and the token's warm lookups forgotten in one step.
    private void AdvanceAndForgetWarm(string tokenId)
    {
        lock (_warmLock)
        {
            _stamp.Advance();
            ForgetWarm(tokenId);
        }
    }

    private void AdvanceAndClearWarm()
    {
        lock (_warmLock)
        {
            _stamp.Advance();
            _warm.Clear();
        }
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
