using ApiTokens.Auditing;
using ApiTokens.Stores;
using ApiTokens.Webhooks;

namespace ApiTokens.Tests;

// Wraps a store with every capability to count calls and to fail or hold them on demand (R12, R17,
// R20 tests).
internal sealed class CountingStore : IApiTokenBatchLookupStore, IApiTokenAuditStore, IApiTokenUsageStore, IApiTokenOutboxStore, IApiTokenWebhookStore
{
    private IApiTokenStore _inner = null!;
    private int _calls;
    private int _writes;
    private int _hashLookups;
    private int _appRecords;
    private int _hashBatches;

    public int Calls => _calls;

    public int Writes => _writes;

    public int HashLookups => _hashLookups;

    public int AppRecords => _appRecords;

    // When set, FindActiveBySecretHashAsync waits for it: lets a test hold racing misses at the store.
    private int _useBatches;

    public Task? ReadGate { get; set; }

    // When set, FindActiveBySecretHashAsync blocks the calling thread on it before it returns a task,
    // as Microsoft.Data.Sqlite's "async" methods do (they complete synchronously).
    public ManualResetEventSlim? BlockingReadGate { get; set; }

    // When set, RecordAppAsync waits for it: lets a test hold racing first uses at the store.
    public Task? RecordAppGate { get; set; }

    // When set, UpdateAsync waits for it after signalling UpdateArrived: lets a test line up racing writers.
    public Task? UpdateGate { get; set; }

    // Held after the app is recorded, before the caller hears of it.
    public Task? RecordAppDoneGate { get; set; }

    public SemaphoreSlim RecordAppDone { get; } = new(0);

    public SemaphoreSlim UpdateArrived { get; } = new(0);

    public bool FailReads { get; set; }

    public bool FailWrites { get; set; }

    // When set, UpdateAsync fails for the tokens it selects (a store failing half-way).
    public Func<ApiToken, bool>? FailUpdate { get; set; }

    public IApiTokenStore Wrap(IApiTokenStore inner)
    {
        _inner = inner;
        return this;
    }

    public void Reset()
    {
        _calls = 0;
        _writes = 0;
        _hashLookups = 0;
        _appRecords = 0;
        _useBatches = 0;
        _hashBatches = 0;
        lock (HashBatchSizes)
        {
            HashBatchSizes.Clear();
        }
    }

    public Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => Write(() => _inner.TryCreateAsync(token, maxActive, audit, cancellationToken));

    public Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => Write(async () =>
    {
        if (FailUpdate?.Invoke(token) == true)
        {
            throw new ApiTokenStoreException("database is down");
        }

        if (UpdateGate is { } gate)
        {
            UpdateArrived.Release();
            await gate;
        }

        return await _inner.UpdateAsync(token, audit, cancellationToken);
    });

    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => Write(async () =>
    {
        if (FailUpdate?.Invoke(token) == true)
        {
            throw new ApiTokenStoreException("database is down");
        }

        return await _inner.TryUpdateAsync(token, maxActive, audit, cancellationToken);
    });

    public Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken) => Write(async () =>
    {
        await _inner.AppendAuditAsync(record, cancellationToken);
        return true;
    });

    public Task<ApiTokenAuditPage> ListAuditAsync(string accountId, string? tokenId, long? before, int limit, CancellationToken cancellationToken)
        => Read(() => ((IApiTokenAuditStore)_inner).ListAuditAsync(accountId, tokenId, before, limit, cancellationToken));

    public Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _appRecords);
        return Write(async () =>
        {
            if (RecordAppGate is { } gate)
            {
                await gate;
            }

            var recording = await _inner.RecordAppAsync(tokenId, app, maxApps, audit, cancellationToken);
            if (RecordAppDoneGate is { } done)
            {
                RecordAppDone.Release();
                await done;
            }

            return recording;
        });
    }

    public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken) => Read(() => _inner.FindByIdAsync(tokenId, cancellationToken));

    public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _hashLookups);
        BlockingReadGate?.Wait(cancellationToken);
        return Read(async () =>
        {
            if (ReadGate is { } gate)
            {
                await gate;
            }

            return await _inner.FindBySecretHashAsync(secretHash, includeRetired, cancellationToken);
        });
    }

    // Refresh-ahead reloads: one call per batch; each hash also counts as a lookup.
    public int HashBatches => _hashBatches;

    public List<int> HashBatchSizes { get; } = [];

    // When set, a batch read waits for it after reading: the tokens it returns are as they were
    // before whatever the test does meanwhile (a stale read racing a change).
    public Task? BatchReadDoneGate { get; set; }

    public Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _hashBatches);
        Interlocked.Add(ref _hashLookups, secretHashes.Count);
        lock (HashBatchSizes)
        {
            HashBatchSizes.Add(secretHashes.Count);
        }

        BlockingReadGate?.Wait(cancellationToken);
        return Read(async () =>
        {
            if (ReadGate is { } gate)
            {
                await gate;
            }

            var found = await ((IApiTokenBatchLookupStore)_inner).FindBySecretHashesAsync(secretHashes, includeRetired, cancellationToken);
            if (BatchReadDoneGate is { } done)
            {
                await done;
            }

            return found;
        });
    }

    public Task RecordUsageAsync(IReadOnlyList<ApiTokenUsageCount> counts, CancellationToken cancellationToken) => Write(async () =>
    {
        await ((IApiTokenUsageStore)_inner).RecordUsageAsync(counts, cancellationToken);
        return counts.Count;
    });

    public Task<IReadOnlyList<ApiTokenUsageCount>> ListUsageAsync(string tokenId, DateOnly from, CancellationToken cancellationToken) => Read(() => ((IApiTokenUsageStore)_inner).ListUsageAsync(tokenId, from, cancellationToken));

    public Task<int> PruneUsageAsync(DateOnly before, CancellationToken cancellationToken) => Write(() => ((IApiTokenUsageStore)_inner).PruneUsageAsync(before, cancellationToken));

    public Task EnqueueAsync(ApiTokenOutboxMessage message, CancellationToken cancellationToken) => Write(async () =>
    {
        await ((IApiTokenOutboxStore)_inner).EnqueueAsync(message, cancellationToken);
        return true;
    });

    // Claims are not counted: the outbox's handlers poll in the background on their own schedule
    // (RevocationRequests claims once when the host starts), so a count would depend on when that
    // poll lands beside the test's requests. Failed on demand like the rest.
    public Task<IReadOnlyList<ApiTokenOutboxMessage>> ClaimAsync(string kind, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
        => FailWrites
            ? Task.FromException<IReadOnlyList<ApiTokenOutboxMessage>>(new ApiTokenStoreException("database is down"))
            : ((IApiTokenOutboxStore)_inner).ClaimAsync(kind, now, lease, max, cancellationToken);

    public Task CompleteAsync(string id, CancellationToken cancellationToken) => Write(async () =>
    {
        await ((IApiTokenOutboxStore)_inner).CompleteAsync(id, cancellationToken);
        return true;
    });

    // Last-use batches (R22) are counted apart: they are written off the request path.
    public int UseBatches => _useBatches;

    public List<ApiTokenUse> RecordedUses { get; } = [];

    public bool FailUseWrites { get; set; }

    public async Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _useBatches);
        if (FailUseWrites)
        {
            throw new ApiTokenStoreException("database is down");
        }

        lock (RecordedUses)
        {
            RecordedUses.AddRange(uses);
        }

        await _inner.RecordUsesAsync(uses, cancellationToken);
    }

    public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken)
        => Read(() => _inner.ListAsync(accountId, ownerId, after, limit, cancellationToken));

    private Task<T> Read<T>(Func<Task<T>> call)
    {
        Interlocked.Increment(ref _calls);
        return FailReads ? Task.FromException<T>(new ApiTokenStoreException("database is down")) : call();
    }

    private Task<T> Write<T>(Func<Task<T>> call)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref _writes);
        return FailWrites ? Task.FromException<T>(new ApiTokenStoreException("database is down")) : call();
    }

    // Webhooks (R37): failed on demand like the rest, but not counted — the sender claims in the
    // background, and the counts are the tests' measure of the token path.
    private IApiTokenWebhookStore Webhooks => (IApiTokenWebhookStore)_inner;

    private Task<T> WebhookCall<T>(bool write, Func<Task<T>> call)
        => (write ? FailWrites : FailReads) ? Task.FromException<T>(new ApiTokenStoreException("database is down")) : call();

    public Task<ApiTokenWebhook> CreateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken) => WebhookCall(true, () => Webhooks.CreateWebhookAsync(webhook, cancellationToken));

    // When set, UpdateWebhookAsync waits for it after signalling WebhookUpdateArrived (a racing change).
    public Task? WebhookUpdateGate { get; set; }

    public SemaphoreSlim WebhookUpdateArrived { get; } = new(0);

    public Task<ApiTokenWebhook> UpdateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken) => WebhookCall(true, async () =>
    {
        if (WebhookUpdateGate is { } gate)
        {
            WebhookUpdateArrived.Release();
            await gate;
        }

        return await Webhooks.UpdateWebhookAsync(webhook, cancellationToken);
    });

    public Task<bool> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken) => WebhookCall(true, () => Webhooks.DeleteWebhookAsync(webhookId, cancellationToken));

    public Task<ApiTokenWebhook?> FindWebhookAsync(string webhookId, CancellationToken cancellationToken) => WebhookCall(false, () => Webhooks.FindWebhookAsync(webhookId, cancellationToken));

    public Task<IReadOnlyList<ApiTokenWebhook>> ListWebhooksAsync(string accountId, CancellationToken cancellationToken) => WebhookCall(false, () => Webhooks.ListWebhooksAsync(accountId, cancellationToken));

    public Task<ApiTokenWebhookDelivery> AddDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken) => WebhookCall(true, () => Webhooks.AddDeliveryAsync(delivery, cancellationToken));

    public Task<ApiTokenWebhookDelivery?> FindDeliveryAsync(string deliveryId, CancellationToken cancellationToken) => WebhookCall(false, () => Webhooks.FindDeliveryAsync(deliveryId, cancellationToken));

    public Task<IReadOnlyList<ApiTokenWebhookDelivery>> ListDeliveriesAsync(string webhookId, long? before, int limit, CancellationToken cancellationToken) => WebhookCall(false, () => Webhooks.ListDeliveriesAsync(webhookId, before, limit, cancellationToken));

    public Task<IReadOnlyList<ApiTokenWebhookDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) => WebhookCall(true, () => Webhooks.ClaimDeliveriesAsync(now, lease, max, cancellationToken));

    public Task UpdateDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken) => WebhookCall(true, async () =>
    {
        await Webhooks.UpdateDeliveryAsync(delivery, cancellationToken);
        return true;
    });
}
