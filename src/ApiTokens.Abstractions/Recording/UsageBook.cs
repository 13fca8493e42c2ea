using ApiTokens.Stores;

namespace ApiTokens.Recording;

// R35 on one node: the counts taken out of the slots and not yet written, per (token, app, UTC day),
// and the one write of them in flight. Everything here happens under one lock, held only for work in
// memory — never across a store call.
//
// Why a read of the usage is exact without holding the flush: counts move from a slot to here (under
// the lock) and from here to the store (a write). A reader takes, under the lock, what is here and in
// the queued slots, and which write it has seen; then reads the store. If no write started in
// between, the store holds nothing the reader counted in memory and everything written before. If one
// did, it reads again. While a write is in flight (its counts are in neither place for certain), the
// reader waits for it to end first.
internal sealed class UsageBook
{
    // The most unwritten (token, app, day) counts kept while the store fails; beyond it new keys are
    // dropped (R35 allows losing the last unwritten batch, never anything else).
    internal const int MaxPending = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string TokenId, string AppName, int Day), UsageCounts> _pending = [];
    private Task? _writing;
    private long _writes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public Lock Gate => _gate;

    // Under Gate: a slot's counts so far move here, to the day they were counted on.
    public void MoveLocked(UseSlot slot)
    {
        var counts = slot.Take();
        if (!counts.IsEmpty && slot.Day >= 0)
        {
            AddLocked((slot.TokenId, slot.AppName, slot.Day), counts);
        }
    }

    // Refusals of an app never recorded have no slot: counted here directly.
    public void Add(string tokenId, string appName, int day, UsageOutcome outcome)
    {
        var one = outcome switch
        {
            UsageOutcome.Allowed => new UsageCounts(1, 0, 0, 0),
            UsageOutcome.Pending => new UsageCounts(0, 1, 0, 0),
            UsageOutcome.Denied => new UsageCounts(0, 0, 1, 0),
            _ => new UsageCounts(0, 0, 0, 1),
        };
        lock (_gate)
        {
            AddLocked((tokenId, appName, day), one);
        }
    }

    // The flusher: everything here leaves for the store, and counts as in flight until EndWrite.
    public List<ApiTokenUsageCount> BeginWrite(TaskCompletionSource done)
    {
        lock (_gate)
        {
            var batch = new List<ApiTokenUsageCount>(_pending.Count);
            foreach (var ((tokenId, appName, day), c) in _pending)
            {
                batch.Add(new ApiTokenUsageCount(tokenId, appName, DateOnly.FromDayNumber(day), c.Allowed, c.Pending, c.Denied, c.Limited));
            }

            _pending.Clear();
            _writing = done.Task;
            _writes++;
            return batch;
        }
    }

    // The write ended; what could not be written comes back, added to whatever was counted meanwhile.
    public void EndWrite(TaskCompletionSource done, IReadOnlyList<ApiTokenUsageCount> unwritten)
    {
        lock (_gate)
        {
            foreach (var count in unwritten)
            {
                AddLocked((count.TokenId, count.AppName, count.Day.DayNumber), new UsageCounts(count.Allowed, count.Pending, count.Denied, count.Limited));
            }

            _writing = null;
        }

        done.TrySetResult();
    }

    // The store's counts of a token from a day on, with what this node has not written yet.
    public async Task<List<ApiTokenUsageCount>> ReadAsync(IApiTokenUsageStore store, string tokenId, DateOnly from, IEnumerable<UseSlot> queued, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? writing;
            long writes;
            List<ApiTokenUsageCount>? unwritten = null;
            lock (_gate)
            {
                writing = _writing;
                writes = _writes;
                if (writing is null)
                {
                    unwritten = SnapshotLocked(tokenId, queued);
                }
            }

            if (writing is not null)
            {
                await writing.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            var stored = await store.ListUsageAsync(tokenId, from, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_writes == writes)
                {
                    unwritten!.AddRange(stored);
                    return unwritten;
                }
            }
        }
    }

    private List<ApiTokenUsageCount> SnapshotLocked(string tokenId, IEnumerable<UseSlot> queued)
    {
        var counts = new List<ApiTokenUsageCount>();
        foreach (var ((id, appName, day), c) in _pending)
        {
            if (string.Equals(id, tokenId, StringComparison.Ordinal))
            {
                counts.Add(new ApiTokenUsageCount(id, appName, DateOnly.FromDayNumber(day), c.Allowed, c.Pending, c.Denied, c.Limited));
            }
        }

        foreach (var slot in queued)
        {
            if (string.Equals(slot.TokenId, tokenId, StringComparison.Ordinal) && slot.Day >= 0)
            {
                var c = slot.Peek();
                counts.Add(new ApiTokenUsageCount(tokenId, slot.AppName, DateOnly.FromDayNumber(slot.Day), c.Allowed, c.Pending, c.Denied, c.Limited));
            }
        }

        return counts;
    }

    private void AddLocked((string, string, int) key, UsageCounts counts)
    {
        if (_pending.TryGetValue(key, out var known))
        {
            _pending[key] = known + counts;
        }
        else if (_pending.Count < MaxPending)
        {
            _pending[key] = counts;
        }
    }
}
