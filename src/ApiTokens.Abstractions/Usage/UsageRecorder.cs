using System.Collections.Concurrent;
using ApiTokens.Caching;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Usage;

// R35: requests per (token, app, UTC day) by outcome, counted on this node without a store write on
// the request path, and written with the R22 batches (LastUseFlusher), one set-based statement per
// batch; the store sums the nodes' counts. Memory is bounded by what is cached (a slot per cached
// pair, queued at most once) plus, while the store fails, MaxPending unwritten counts. A crash loses
// what was not written yet: at most one interval's counts.
internal sealed partial class UsageRecorder
{
    internal const int MaxPending = 100_000;
    internal const int BatchSize = 500;
    private const long MsPerDay = 86_400_000;

    private readonly ConcurrentQueue<UsageSlot> _queue = new();
    private readonly ConcurrentDictionary<(string TokenId, string AppName, int Day), long[]> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _dayEndsAtMs = long.MinValue;
    private int _today;
    private DateOnly? _prunedOn;

    public UsageRecorder(IServiceScopeFactory scopes, IOptionsMonitor<ApiTokenOptions> options, TimeProvider time, ILogger<UsageRecorder> logger)
    {
        _scopes = scopes;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public int PendingCount => _queue.Count + _pending.Count;

    // The hot path: the day from a monotonic clock (the wall clock is read once per day), one
    // increment, one flag read once the slot is queued.
    public void Count(UsageSlot slot, UsageOutcome outcome)
    {
        var options = _options.CurrentValue;
        if (!options.CountUsage || options.LastUsedGranularity == TimeSpan.Zero)
        {
            return;
        }

        var day = Today();
        if (slot.Day != day)
        {
            RollOver(slot, day);
        }

        slot.Add(outcome);
        if (slot.TryQueue())
        {
            _queue.Enqueue(slot);
        }
    }

    // A request whose app has no slot (refused before it was ever recorded): counted apart.
    public void CountUnslotted(string tokenId, string appName, UsageOutcome outcome)
    {
        if (!_options.CurrentValue.CountUsage || _options.CurrentValue.LastUsedGranularity == TimeSpan.Zero || _pending.Count >= MaxPending)
        {
            return;
        }

        var counts = _pending.GetOrAdd((tokenId, appName, Today()), static _ => new long[4]);
        Interlocked.Increment(ref counts[(int)outcome]);
    }

    public static DateOnly ToDate(int day) => DateOnly.FromDayNumber(day);

    // Holds off this node's flush while a reader combines the store's counts with Unwritten: a batch
    // moving from memory to the store is then never seen twice or not at all.
    public async Task<IDisposable> HoldFlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_flushing);
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }

    // What this node counted for a token and has not written yet, so a read on the node that served
    // the requests sees them at once (other nodes' show after their next flush).
    public IEnumerable<ApiTokenUsageCount> Unwritten(string tokenId)
    {
        foreach (var pair in _pending)
        {
            if (pair.Key.TokenId == tokenId)
            {
                var c = pair.Value;
                yield return new ApiTokenUsageCount(tokenId, pair.Key.AppName, ToDate(pair.Key.Day), Volatile.Read(ref c[0]), Volatile.Read(ref c[1]), Volatile.Read(ref c[2]), Volatile.Read(ref c[3]));
            }
        }

        foreach (var slot in _queue)
        {
            if (slot.TokenId == tokenId && slot.Day >= 0)
            {
                var (allowed, pending, denied, limited) = slot.Peek();
                yield return new ApiTokenUsageCount(tokenId, slot.AppName, ToDate(slot.Day), allowed, pending, denied, limited);
            }
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_queue.TryDequeue(out var slot))
            {
                slot.Unqueue();
                lock (slot.Gate)
                {
                    Move(slot, slot.Day);
                }
            }

            await PruneAsync(cancellationToken).ConfigureAwait(false);
            if (_pending.IsEmpty)
            {
                return;
            }

            var batch = new List<ApiTokenUsageCount>(Math.Min(BatchSize, _pending.Count));
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
                foreach (var key in _pending.Keys.ToList())
                {
                    if (_pending.TryRemove(key, out var counts))
                    {
                        batch.Add(new ApiTokenUsageCount(key.TokenId, key.AppName, ToDate(key.Day), counts[0], counts[1], counts[2], counts[3]));
                    }

                    if (batch.Count == BatchSize)
                    {
                        await WriteAsync(store, batch, cancellationToken).ConfigureAwait(false);
                        batch.Clear();
                    }
                }

                await WriteAsync(store, batch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(IApiTokenStore store, List<ApiTokenUsageCount> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await store.RecordUsageAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Kept for the next flush (added back to whatever was counted meanwhile).
            LogFlushFailed(_logger, ex, batch.Count);
            foreach (var count in batch)
            {
                if (_pending.Count >= MaxPending)
                {
                    break;
                }

                var counts = _pending.GetOrAdd((count.TokenId, count.AppName, count.Day.DayNumber), static _ => new long[4]);
                Interlocked.Add(ref counts[0], count.Allowed);
                Interlocked.Add(ref counts[1], count.Pending);
                Interlocked.Add(ref counts[2], count.Denied);
                Interlocked.Add(ref counts[3], count.Limited);
            }
        }
    }

    // Once a day, off the request path: counts older than UsageRetention go.
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var today = ToDate(Today());
        if (_prunedOn == today)
        {
            return;
        }

        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var before = today.AddDays(-(int)Math.Ceiling(_options.CurrentValue.UsageRetention.TotalDays) + 1);
                await scope.ServiceProvider.GetRequiredService<IApiTokenStore>().PruneUsageAsync(before, cancellationToken).ConfigureAwait(false);
                _prunedOn = today;
            }
        }
        catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException)
        {
            LogPruneFailed(_logger, ex);
        }
    }

    private int Today()
    {
        var now = MonotonicClock.NowMs(_time);
        if (now < Volatile.Read(ref _dayEndsAtMs))
        {
            return Volatile.Read(ref _today);
        }

        var utc = _time.GetUtcNow();
        var day = DateOnly.FromDateTime(utc.UtcDateTime).DayNumber;
        var msLeft = MsPerDay - (long)(utc.UtcDateTime.TimeOfDay.TotalMilliseconds);
        Volatile.Write(ref _today, day);
        Volatile.Write(ref _dayEndsAtMs, now + msLeft);
        return day;
    }

    // A new day for the slot: what it counted belongs to its old day.
    private void RollOver(UsageSlot slot, int day)
    {
        lock (slot.Gate)
        {
            if (slot.Day == day)
            {
                return;
            }

            if (slot.Day >= 0)
            {
                Move(slot, slot.Day);
            }

            slot.Day = day;
        }
    }

    private void Move(UsageSlot slot, int day)
    {
        var (allowed, pending, denied, limited) = slot.Take();
        if (allowed + pending + denied + limited == 0 || day < 0)
        {
            return;
        }

        if (_pending.Count >= MaxPending && !_pending.ContainsKey((slot.TokenId, slot.AppName, day)))
        {
            return;
        }

        var counts = _pending.GetOrAdd((slot.TokenId, slot.AppName, day), static _ => new long[4]);
        Interlocked.Add(ref counts[0], allowed);
        Interlocked.Add(ref counts[1], pending);
        Interlocked.Add(ref counts[2], denied);
        Interlocked.Add(ref counts[3], limited);
    }

    [LoggerMessage(19, LogLevel.Warning, "{Count} usage counts could not be written; they are kept for the next flush.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(20, LogLevel.Warning, "Usage counts older than the retention could not be removed; the next flush tries again.")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
