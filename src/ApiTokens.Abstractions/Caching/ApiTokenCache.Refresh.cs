using ApiTokens.Validation;
using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.Caching;

// The cache's side of refresh-ahead (RefreshAhead queues and times the batches): one store read for a
// batch, then each entry extended in place, replaced, or dropped.
internal sealed partial class ApiTokenCache
{
    // A batch of RefreshAhead: one store call for all of it, then each entry judged.
    private async Task RefreshBatchAsync(List<PendingRefresh> batch)
    {
        var stamp = _stamp.Read();
        var generation = _current;
        var readAt = _time.GetTimestamp();
        ApiTokenLookup?[] lookups;
        try
        {
            var hashes = new byte[batch.Count][];
            for (var i = 0; i < hashes.Length; i++)
            {
                hashes[i] = batch[i].SecretHash;
            }

            lookups = await _lookup.FindManyAsync(hashes).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiTokens.Stores.ApiTokenStoreException or TimeoutException)
        {
            // An outage, logged by the lookup. The entries serve until they expire; the next miss
            // reports it (R20). Anything else is a defect and reaches RefreshAhead's log.
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            Refreshed(batch[i], lookups[i], stamp, generation, readAt);
        }
    }

    // One entry's reload, read from `readAt` on, after the stamp was `stamp`. A token that is gone
    // (retired, expired, unknown) is dropped at once. A token found as the entry has it (same
    // version, effective privilege and secret state, nothing cutting the lifetime short) extends the
    // entry in place: its app results, last-use slots and the handler's shared identity survive, and
    // its objects are not promoted through the GC's generations again once per lifetime. Anything
    // else replaces it exactly as a miss stores an entry.
    private void Refreshed(PendingRefresh pending, ApiTokenLookup? lookup, long stamp, CacheGeneration generation, long readAt)
    {
        var entry = pending.Entry;
        if (lookup is null)
        {
            entry.Invalidate();
            _current.Index.Remove(entry);
            return;
        }

        var expiresAt = EntryExpiry(lookup, generation, readAt, out var cut);
        if (cut
            || !generation.Enabled
            || !ReferenceEquals(generation, _current)
            || entry.CacheKey is not { } cacheKey
            || !entry.Matches(lookup)
            || entry.IsInvalidated)
        {
            Store(pending.Key, lookup, stamp, generation, readAt);
            return;
        }

        // Unchanged. If it is still the one indexed for its token, every change since the read began
        // would have found and invalidated it (checked above), so no other token's change — the stamp
        // is global — keeps it from being extended. If a sweep had unindexed it (the cache had let it
        // go), a change meanwhile could not find it: then the stamp decides, as for any read.
        var indexed = generation.Index.IsIndexed(entry);
        entry.Extend(expiresAt, generation.RefreshPoint(readAt));
        generation.Cache.Set(cacheKey, entry, generation.EntryOptions);
        if (indexed)
        {
            return;
        }

        // Stored again, so indexed again. If another entry holds the token's place or a change
        // landed meanwhile, it must not serve on.
        if (!generation.Index.TryPlace(entry) || !_stamp.Unchanged(stamp))
        {
            entry.Invalidate();
            generation.Index.Remove(entry);
        }
    }
}
