using System.Collections.Concurrent;
using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Stores;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Recording;

// R22 and R35 on one node, without a store write on the request path: a request marks its pair's
// UseSlot (last use) and counts its outcome there (usage); the first mark or count after a flush
// queues the slot. UseFlusher calls FlushAsync once per LastUsedGranularity: the queued slots are
// drained into the pending last uses and the UsageBook, and each is written in batches — last uses
// through IApiTokenStore.RecordUsesAsync, counts through IApiTokenUsageStore (a store without that
// capability counts nothing). A batch that fails is kept, at most MaxPending pairs, and retried with
// the next flush; a crash loses at most what was not written yet.
internal sealed class UseRecorder
{
    // Rows per store call: bounded so a statement stays within every provider's parameter limit.
    internal const int BatchSize = 500;

    private readonly ConcurrentQueue<UseSlot> _queue = new();
    private readonly LastUseBook _uses;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly UsageBook _usage = new();
    private readonly UsageDays _days;
    private readonly IServiceScopeFactory _scopes;
    private readonly SelfRotationFollowUps _followUps;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly ApiTokenEventDispatcher _events;
    private readonly ILogger _logger;
    private readonly bool _counting;
    private DateOnly? _prunedOn;

    public UseRecorder(
        IServiceScopeFactory scopes,
        IServiceProviderIsService registered,
        IOptionsMonitor<ApiTokenOptions> options,
        TimeProvider time,
        ApiTokenEventDispatcher events,
        SelfRotationFollowUps followUps,
        ILogger<UseRecorder> logger)
    {
        _followUps = followUps;
        _scopes = scopes;
        _options = options;
        _time = time;
        _events = events;
        _logger = logger;
        _days = new UsageDays(time);
        _uses = new LastUseBook(time, events, logger);
        _counting = registered.IsService(typeof(IApiTokenUsageStore));
    }

    // How many (token, app) pairs wait to be written.
    public int PendingCount => _queue.Count + _uses.Count + _usage.Count;

    // R8, R9: a recorded app is judged by its own state — the only place an app is judged, and so the
    // only place a successful use is recorded (R22: a mark in memory, no store write). Every judged
    // request is counted per (token, app, day) by outcome (R35). app: the position from TryFindApp.
    public ApiTokenValidationResult Judge(CachedApiToken entry, int app, AppState state)
    {
        var slot = entry.GetSlot(app);
        switch (state)
        {
            case AppState.Allow:
                // R39: one field read on the hit; the first allowed use of a self-rotated token's new
                // secret ends its previous one, off the request.
                if (entry.EndsPreviousSecret && entry.TryClaimPreviousSecretEnd())
                {
                    _followUps.NewSecretUsed(entry.TokenId);
                }

                return Allowed(slot);
            case AppState.Pending:
                Refused(slot, UsageOutcome.Pending);
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.PendingApp);
            default:
                Refused(slot, UsageOutcome.Denied);
                return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.DeniedApp);
        }
    }

    // A request refused by R33 or R34, counted for its app whether recorded or not.
    public void Limited(CachedApiToken entry, string appName)
    {
        if (entry.TryFindApp(appName, out _, out var app))
        {
            Refused(entry.GetSlot(app), UsageOutcome.Limited);
        }
        else
        {
            var options = _options.CurrentValue;
            if (_counting && options.CountUsage && options.LastUsedGranularity != TimeSpan.Zero)
            {
                _usage.Add(entry.TokenId, appName, _days.Today(), UsageOutcome.Limited);
            }
        }
    }

    // The hot path of an allowed request: one field read for the use once marked, one increment.
    private ApiTokenValidationResult Allowed(UseSlot slot)
    {
        var options = _options.CurrentValue;
        if (options.LastUsedGranularity != TimeSpan.Zero)
        {
            slot.MarkUsed(_time);
            if (_counting && options.CountUsage)
            {
                Count(slot, UsageOutcome.Allowed);
            }

            if (slot.TryQueue())
            {
                _queue.Enqueue(slot);
            }
        }

        return slot.Success;
    }

    // A request refused for its app's state or by R33/R34: counted, not a use.
    private void Refused(UseSlot slot, UsageOutcome outcome)
    {
        var options = _options.CurrentValue;
        if (_counting && options.CountUsage && options.LastUsedGranularity != TimeSpan.Zero)
        {
            Count(slot, outcome);
            if (slot.TryQueue())
            {
                _queue.Enqueue(slot);
            }
        }
    }

    // R35: the store's counts with this node's unwritten ones, so its own requests show at once.
    public Task<List<ApiTokenUsageCount>> ReadUsageAsync(IApiTokenUsageStore store, string tokenId, DateOnly from, CancellationToken cancellationToken)
        => _usage.ReadAsync(store, tokenId, from, _queue, cancellationToken);

    // Writes everything recorded since the last flush. Never throws for a store failure: it is logged
    // and what was not written is kept for the next flush.
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var previousUses = Drain();
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
                if (previousUses is not null)
                {
                    await _uses.AuditPreviousSecretUsesAsync(store, previousUses, cancellationToken).ConfigureAwait(false);
                }

                await _uses.WriteAsync(store, cancellationToken).ConfigureAwait(false);
                if (scope.ServiceProvider.GetService<IApiTokenUsageStore>() is { } usage)
                {
                    await PruneAsync(usage, cancellationToken).ConfigureAwait(false);
                    await WriteUsageAsync(usage, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void Count(UseSlot slot, UsageOutcome outcome)
    {
        var day = _days.Today();
        if (slot.Day != day)
        {
            // A new day for the slot: what it counted belongs to its old day.
            lock (_usage.Gate)
            {
                if (slot.Day != day)
                {
                    _usage.MoveLocked(slot);
                    slot.Day = day;
                }
            }
        }

        slot.Add(outcome);
    }

    // The queued slots' uses and counts move to the pending ones (under the book's lock, so a reader
    // sees each count in exactly one place). Returns the uses of previous secrets to audit.
    private List<UseSlot>? Drain()
    {
        List<UseSlot>? previousUses = null;
        HashSet<(string, string)>? announced = null;
        lock (_usage.Gate)
        {
            while (_queue.TryDequeue(out var slot))
            {
                slot.Unqueue();
                _usage.MoveLocked(slot);
                if (slot.TakeUse() is not { } usedAt)
                {
                    continue;
                }

                var key = (slot.TokenId, slot.AppName);
                _uses.Add(slot, usedAt);
                if (slot.PreviousSecret && (announced ??= []).Add(key))
                {
                    (previousUses ??= []).Add(slot);
                }
            }
        }

        return previousUses;
    }

    private async Task WriteUsageAsync(IApiTokenUsageStore store, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var counts = _usage.BeginWrite(done);
        var written = 0;
        try
        {
            for (; written < counts.Count; written += BatchSize)
            {
                await store.RecordUsageAsync(counts.GetRange(written, Math.Min(BatchSize, counts.Count - written)), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            Log.UsageFlushFailed(_logger, ex, counts.Count - written);
        }
        finally
        {
            _usage.EndWrite(done, written >= counts.Count ? [] : counts.GetRange(written, counts.Count - written));
        }
    }

    // Once a day, off the request path: counts older than UsageRetention go.
    private async Task PruneAsync(IApiTokenUsageStore store, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDayNumber(_days.Today());
        if (_prunedOn == today)
        {
            return;
        }

        try
        {
            var before = today.AddDays(-(int)Math.Ceiling(_options.CurrentValue.UsageRetention.TotalDays) + 1);
            await store.PruneUsageAsync(before, cancellationToken).ConfigureAwait(false);
            _prunedOn = today;
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            Log.UsagePruneFailed(_logger, ex);
        }
    }

    internal static bool IsOutage(Exception ex, CancellationToken cancellationToken)
        => ex is ApiTokenStoreException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
