using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Caching;

// Job: reload hot entries before they expire (refresh-ahead), in batches.
//
// A hit past its entry's refresh point (70–90 % of the lifetime, CacheGeneration.RefreshPoint)
// queues the entry here and is served from the cache: no request waits for these reloads. The first
// entry queued arms one timer of RefreshBatchDelay (2 % of the lifetime, at most 1 s); when it fires,
// the queue is read MaxBatch entries per store call, one call at a time, and entries queued while a
// batch is read go with the next one. On a database the reloads of a cache lifetime are then a few
// dozen round trips instead of one per hot token. The queue holds the store's hashes, never a secret.
//
// What a reload does with each entry is the cache's business (ApiTokenCache.Refreshed: extend it in
// place, replace it, or drop it). A failed batch leaves its entries to expire; the loader logs it.
// Anything else thrown here is a defect: it is logged, and the next entry due arms the timer again.
internal sealed class RefreshAhead : IDisposable
{
    public const int MaxBatch = 100;

    private readonly ConcurrentQueue<PendingRefresh> _queue = new();
    private readonly ITimer _timer;
    private readonly Func<List<PendingRefresh>, Task> _refresh;
    private readonly ILogger _logger;
    private int _armed;

    public RefreshAhead(TimeProvider time, Func<List<PendingRefresh>, Task> refresh, ILogger logger)
    {
        _refresh = refresh;
        _logger = logger;

        // The timer only hands the batch to a thread of its own (OwnThread): a FakeTimeProvider runs
        // callbacks inside Advance, and a store read that blocks (SQLite's do) would otherwise hold one
        // of the thread pool's few threads while requests queue behind it.
        _timer = time.CreateTimer(
            static self => ((RefreshAhead)self!).Drain(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    public void Enqueue(PendingRefresh pending, TimeSpan batchDelay)
    {
        _queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            try
            {
                _timer.Change(batchDelay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Shutting down: nothing is reloaded any more.
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    // The timer fired. Observed here, so no failure is left in a discarded task.
    private void Drain() => _ = ObserveAsync(OwnThread.RunAsync(DrainAsync, CancellationToken.None));

    private async Task ObserveAsync(Task drain)
    {
        try
        {
            await drain.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.RefreshDrainFailed(_logger, ex);
        }
    }

    // Reloads what is queued, batch after batch, then disarms.
    private async Task DrainAsync()
    {
        var batch = new List<PendingRefresh>(MaxBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var pending))
                {
                    batch.Add(pending);
                }

                if (batch.Count == 0)
                {
                    Volatile.Write(ref _armed, 0);

                    // An entry queued between the last dequeue and the disarm saw the timer armed and
                    // did not arm it: take it now rather than leave it to the next one.
                    if (_queue.IsEmpty || Interlocked.CompareExchange(ref _armed, 1, 0) != 0)
                    {
                        return;
                    }

                    continue;
                }

                await _refresh(batch).ConfigureAwait(false);
            }
        }
        catch
        {
            // Must not leave the timer disarmed for good: the next entry due arms it again.
            Volatile.Write(ref _armed, 0);
            throw;
        }
    }
}

// An entry due for reload, with the store's hash of its secret (never the secret).
internal readonly record struct PendingRefresh(UInt128 Key, CachedApiToken Entry, byte[] SecretHash);
