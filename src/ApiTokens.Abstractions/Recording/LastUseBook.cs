using ApiTokens.Auditing;
using ApiTokens.Stores;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Recording;

// R22 on one node: the last uses drained from the slots and not yet written, one per (token, app),
// written in batches; and R23's audit of a previous secret's use. Used by UseRecorder's flush only,
// one flush at a time, so it needs no lock of its own.
internal sealed class LastUseBook(TimeProvider time, ApiTokenEventDispatcher events, ILogger logger)
{
    // The most (token, app) last uses kept for a retry while the store fails; beyond it the oldest
    // are dropped (R22 allows losing last-use times, never anything else).
    internal const int MaxPending = 100_000;

    private readonly Dictionary<(string TokenId, string AppName), ApiTokenUse> _pending = [];

    public int Count => _pending.Count;

    public void Add(UseSlot slot, DateTimeOffset usedAt)
    {
        var key = (slot.TokenId, slot.AppName);
        if (!_pending.TryGetValue(key, out var known) || known.UsedAt < usedAt)
        {
            _pending[key] = new ApiTokenUse(slot.TokenId, slot.AppName, usedAt);
        }
    }

    // R23, R24: a use of a previous secret during its grace is an audit event, at most one per flush
    // and app, written here, off the request path. A failed write is logged, never retried.
    public async Task AuditPreviousSecretUsesAsync(IApiTokenStore store, List<UseSlot> slots, CancellationToken cancellationToken)
    {
        foreach (var slot in slots)
        {
            Log.PreviousSecretUsed(logger, slot.TokenId, slot.AppName, slot.PreviousSecretExpiresAt);
            var record = AuditRecords.Create(
                slot.TokenId,
                slot.AccountId,
                time.GetUtcNow(),
                AuditRecords.App(slot.AppName),
                ApiTokenAuditActions.PreviousSecretUsed,
                new("app", null, slot.AppName),
                new("previousSecretExpiresAt", null, AuditRecords.Wire(slot.PreviousSecretExpiresAt)));
            try
            {
                await store.AppendAuditAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiTokenStoreException ex)
            {
                Log.AuditAppendFailed(logger, ex, record.Action, record.TokenId);
                continue;
            }

            events.PublishInBackground(record);
        }
    }

    public async Task WriteAsync(IApiTokenStore store, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var uses = new List<ApiTokenUse>(_pending.Values);
        try
        {
            for (var written = 0; written < uses.Count; written += UseRecorder.BatchSize)
            {
                var batch = uses.GetRange(written, Math.Min(UseRecorder.BatchSize, uses.Count - written));
                await store.RecordUsesAsync(batch, cancellationToken).ConfigureAwait(false);
                foreach (var done in batch)
                {
                    _pending.Remove((done.TokenId, done.AppName));
                }
            }
        }
        catch (Exception ex) when (UseRecorder.IsOutage(ex, cancellationToken))
        {
            Log.LastUseFlushFailed(logger, ex, _pending.Count);
            if (_pending.Count > MaxPending)
            {
                foreach (var oldest in _pending.Values.OrderBy(static u => u.UsedAt).Take(_pending.Count - MaxPending).ToList())
                {
                    _pending.Remove((oldest.TokenId, oldest.AppName));
                }
            }
        }
    }
}
