using System.Collections.Concurrent;
using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.LastUse;

// R22: successful uses, collected per node without a store write on the request path. A request
// marks its (cached token, app) slot; the first mark after a flush queues the slot, so the queue
// holds each slot at most once and memory is bounded by what is cached. LastUseFlusher writes what
// was queued, one batch per LastUsedGranularity; a batch that fails is kept (one entry per token and
// app) and retried with the next.
internal sealed class LastUseRecorder
{
    // The most (token, app) pairs kept for a retry while the store fails; beyond it the oldest
    // unwritten times are dropped (R22 allows losing last-use times, never anything else).
    internal const int MaxPending = 100_000;

    // Uses per store call: bounded so a statement stays within every provider's parameter limit.
    internal const int BatchSize = 500;

    private readonly ConcurrentQueue<AppUse> _queue = new();
    private readonly Dictionary<(string TokenId, string AppName), ApiTokenUse> _pending = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ApiTokenEventDispatcher _events;

    public LastUseRecorder(IServiceScopeFactory scopes, IOptionsMonitor<ApiTokenOptions> options, TimeProvider time, ApiTokenEventDispatcher events, ILogger<LastUseRecorder> logger)
    {
        _events = events;
        _scopes = scopes;
        _options = options;
        _time = time;
        _logger = logger;
    }

    // How many (token, app) pairs wait to be written.
    public int PendingCount => _queue.Count + _pending.Count;

    // The hot path: one read of the slot's flag once it is queued.
    public void Record(AppUse use)
    {
        if (use.TryMark(_time))
        {
            if (_options.CurrentValue.LastUsedGranularity == TimeSpan.Zero)
            {
                // Recording is off: leave the slot marked, so it is never queued again.
                return;
            }

            _queue.Enqueue(use);
        }
    }

    // Writes everything queued since the last flush. Never throws for a store failure: it is logged
    // and the uses are kept for the next flush.
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HashSet<(string, string)>? announced = null;
            List<AppUse>? previousUses = null;
            while (_queue.TryDequeue(out var use))
            {
                var usedAt = use.UsedAt;
                use.Unmark();
                var key = (use.TokenId, use.AppName);
                if (!_pending.TryGetValue(key, out var known) || known.UsedAt < usedAt)
                {
                    _pending[key] = new ApiTokenUse(use.TokenId, use.AppName, usedAt);
                }

                if (use.PreviousSecret && (announced ??= []).Add(key))
                {
                    // R23: owners find the clients still on the old secret.
                    Log.PreviousSecretUsed(_logger, use.TokenId, use.AppName, use.PreviousSecretExpiresAt);
                    (previousUses ??= []).Add(use);
                }
            }

            if (previousUses is not null)
            {
                await RecordPreviousSecretUsesAsync(previousUses, cancellationToken).ConfigureAwait(false);
            }

            if (_pending.Count == 0)
            {
                return;
            }

            var uses = _pending.Values.ToList();
            var written = 0;
            try
            {
                var scope = _scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
                    for (; written < uses.Count; written += BatchSize)
                    {
                        var batch = uses.GetRange(written, Math.Min(BatchSize, uses.Count - written));
                        await store.RecordUsesAsync(batch, cancellationToken).ConfigureAwait(false);
                        foreach (var done in batch)
                        {
                            _pending.Remove((done.TokenId, done.AppName));
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.LastUseFlushFailed(_logger, ex, _pending.Count);
                Trim();
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    // R23, R24: a use of a previous secret during its grace is an audit event, at most one per
    // flush and app, written here, off the request path. A failed write is logged, never retried.
    private async Task RecordPreviousSecretUsesAsync(List<AppUse> uses, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            foreach (var use in uses)
            {
                var token = use.Success.Token!;
                var record = AuditRecords.Create(
                    token.TokenId,
                    token.AccountId,
                    use.UsedAt,
                    AuditRecords.App(use.AppName),
                    ApiTokenAuditActions.PreviousSecretUsed,
                    new("app", null, use.AppName),
                    new("previousSecretExpiresAt", null, AuditRecords.Wire(use.PreviousSecretExpiresAt)));
                try
                {
                    await store.AppendAuditAsync(record, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiTokenStoreException ex)
                {
                    Log.AuditAppendFailed(_logger, ex, record.Action, record.TokenId);
                    continue;
                }

                _events.PublishInBackground(record);
            }
        }
    }

    private void Trim()
    {
        if (_pending.Count <= MaxPending)
        {
            return;
        }

        foreach (var oldest in _pending.Values.OrderBy(static u => u.UsedAt).Take(_pending.Count - MaxPending).ToList())
        {
            _pending.Remove((oldest.TokenId, oldest.AppName));
        }
    }
}
