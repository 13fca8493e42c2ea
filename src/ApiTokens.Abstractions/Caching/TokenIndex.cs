using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.Caching;

// Job: find a token's cached entries when it changes (R18). The MemoryCache is keyed by secret; a
// change names a token id. A rotated token in its grace period may be cached twice, once per secret
// (R23), so each entry has an index key of its own (CachedApiToken.IndexKey) and neither pushes out
// the other.
//
// Entries the MemoryCache dropped (expired, compacted away, replaced) stay here until a sweep. That
// is harmless for correctness — a dropped entry is never served: lookups go through the MemoryCache
// — but costs memory, so every 1,024 insertions the sizes are compared (counting a
// ConcurrentDictionary takes its locks, so not on every insertion), and once the index holds more
// than twice the cache's entries a sweep runs on the thread pool, off the request. (No post-eviction
// callback instead: MemoryCache copies one into every entry, 128 of its 293 bytes, measured.)
internal sealed class TokenIndex
{
    private readonly ConcurrentDictionary<string, CachedApiToken> _entries = new(StringComparer.Ordinal);
    private int _inserts;
    private int _sweeping;

    public int Count => _entries.Count;

    public bool IsIndexed(CachedApiToken entry)
        => _entries.TryGetValue(entry.IndexKey, out var indexed) && ReferenceEquals(indexed, entry);

    // The entry takes its token's place; the entry it replaces is invalidated.
    public void Put(CachedApiToken entry)
        => _entries.AddOrUpdate(
            entry.IndexKey,
            static (_, fresh) => fresh,
            static (_, old, fresh) =>
            {
                if (!ReferenceEquals(old, fresh))
                {
                    old.Invalidate();
                }

                return fresh;
            },
            entry);

    // The entry takes its token's place only if it is free; whether it holds it now.
    public bool TryPlace(CachedApiToken entry) => ReferenceEquals(_entries.GetOrAdd(entry.IndexKey, entry), entry);

    // Unindexes this entry (not another that took its place meanwhile).
    public void Remove(CachedApiToken entry)
        => _entries.TryRemove(new KeyValuePair<string, CachedApiToken>(entry.IndexKey, entry));

    // A change of the token: both of its entries are invalidated and unindexed.
    public void Invalidate(string tokenId)
    {
        if (_entries.TryRemove(tokenId, out var entry))
        {
            entry.Invalidate();
        }

        if (!_entries.IsEmpty && _entries.TryRemove(CachedApiToken.PreviousSecretKey(tokenId), out var previous))
        {
            previous.Invalidate();
        }
    }

    // The generation is swapped out: nothing of it may serve on.
    public void InvalidateAll()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Invalidate();
        }

        _entries.Clear();
    }

    public void SweepIfDue(MemoryCache cache, long now)
    {
        if ((Interlocked.Increment(ref _inserts) & 1023) != 0)
        {
            return;
        }

        if (_entries.Count <= (2 * cache.Count) + 1024 || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(() =>
        {
            try
            {
                Sweep(cache, now);
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        });
    }

    // Removes every indexed entry that the MemoryCache no longer holds. An entry is indexed just
    // before it is stored, and its CacheKey is set just after: one without a key is being stored
    // right now, and removing it would leave a cached entry that a change cannot find.
    public void Sweep(MemoryCache cache, long now)
    {
        foreach (var (indexKey, entry) in _entries)
        {
            if (entry.IsInvalidated
                || now >= entry.ExpiresAt
                || (entry.CacheKey is { } key && !(cache.TryGetValue(key, out var cached) && ReferenceEquals(cached, entry))))
            {
                _entries.TryRemove(new KeyValuePair<string, CachedApiToken>(indexKey, entry));
            }
        }
    }

    // Tests: every live cached entry can be found by its token id, so a change reaches it (R18).
    public bool Covers(MemoryCache cache)
    {
        foreach (var key in cache.Keys)
        {
            if (cache.TryGetValue(key, out var value) && value is CachedApiToken { IsInvalidated: false } entry && !IsIndexed(entry))
            {
                return false;
            }
        }

        return true;
    }
}
