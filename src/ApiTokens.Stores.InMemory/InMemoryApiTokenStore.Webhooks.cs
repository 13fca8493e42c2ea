using ApiTokens.Auditing;
using ApiTokens.Webhooks;

namespace ApiTokens.Stores.InMemory;

// R37: endpoints and deliveries under the write lock, so an audited change and its deliveries are
// one step, and a claim and the deliveries it hides are one step.
public sealed partial class InMemoryApiTokenStore : IApiTokenWebhookStore
{
    private readonly Dictionary<string, ApiTokenWebhook> _webhooks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiTokenWebhookDelivery> _deliveries = new(StringComparer.Ordinal);
    private long _deliverySequence;

    /// <inheritdoc />
    public Task<ApiTokenWebhook> CreateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            var stored = webhook with { Version = 1 };
            if (!_webhooks.TryAdd(stored.Id, stored))
            {
                throw new ApiTokenStoreException("A webhook with this id already exists.");
            }

            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public Task<ApiTokenWebhook> UpdateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (!_webhooks.TryGetValue(webhook.Id, out var current) || current.Version != webhook.Version)
            {
                throw new ApiTokenConcurrencyException();
            }

            var stored = webhook with { Version = current.Version + 1, AccountId = current.AccountId };
            _webhooks[stored.Id] = stored;
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (!_webhooks.Remove(webhookId))
            {
                return Task.FromResult(false);
            }

            foreach (var id in _deliveries.Values.Where(d => d.WebhookId == webhookId).Select(d => d.Id).ToList())
            {
                _deliveries.Remove(id);
            }

            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<ApiTokenWebhook?> FindWebhookAsync(string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            return Task.FromResult(_webhooks.GetValueOrDefault(webhookId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiTokenWebhook>> ListWebhooksAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            return Task.FromResult<IReadOnlyList<ApiTokenWebhook>>([.. _webhooks.Values.Where(w => w.AccountId == accountId).OrderBy(w => w.CreatedAt).ThenBy(w => w.Id, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public Task<ApiTokenWebhookDelivery> AddDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (_deliveries.ContainsKey(delivery.Id))
            {
                throw new ApiTokenStoreException("A delivery with this id already exists.");
            }

            var stored = delivery with { Sequence = ++_deliverySequence };
            _deliveries[stored.Id] = stored;
            return Task.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public Task<ApiTokenWebhookDelivery?> FindDeliveryAsync(string deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            return Task.FromResult(_deliveries.GetValueOrDefault(deliveryId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiTokenWebhookDelivery>> ListDeliveriesAsync(string webhookId, long? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            return Task.FromResult<IReadOnlyList<ApiTokenWebhookDelivery>>([.. _deliveries.Values
                .Where(d => d.WebhookId == webhookId && (before is null || d.Sequence < before))
                .OrderByDescending(d => d.Sequence)
                .Take(limit)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiTokenWebhookDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            var due = _deliveries.Values
                .Where(d => d.Status == ApiTokenWebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Sequence)
                .Take(max)
                .ToList();
            for (var i = 0; i < due.Count; i++)
            {
                due[i] = _deliveries[due[i].Id] = due[i] with { NextAttemptAt = now + lease };
            }

            return Task.FromResult<IReadOnlyList<ApiTokenWebhookDelivery>>(due);
        }
    }

    /// <inheritdoc />
    public Task UpdateDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (_deliveries.TryGetValue(delivery.Id, out var current))
            {
                _deliveries[delivery.Id] = current with
                {
                    Attempts = delivery.Attempts,
                    Status = delivery.Status,
                    LastStatusCode = delivery.LastStatusCode,
                    LastAttemptAt = delivery.LastAttemptAt,
                    NextAttemptAt = delivery.NextAttemptAt,
                };
            }
        }

        return Task.CompletedTask;
    }

    // Under the write lock, with the record it announces: one pending delivery per endpoint of the
    // account that receives the event's type.
    private void Deliver(ApiTokenAuditRecord record)
    {
        if (record.Event is not { } e || _webhooks.Count == 0)
        {
            return;
        }

        foreach (var webhook in _webhooks.Values)
        {
            if (webhook.AccountId == record.AccountId && webhook.Receives(e.Type))
            {
                var delivery = new ApiTokenWebhookDelivery
                {
                    Id = Guid.NewGuid().ToString("N"),
                    WebhookId = webhook.Id,
                    AccountId = webhook.AccountId,
                    EventId = record.Id,
                    Type = e.Type,
                    Payload = e.Payload,
                    CreatedAt = record.At,
                    NextAttemptAt = record.At,
                    Sequence = ++_deliverySequence,
                };
                _deliveries[delivery.Id] = delivery;
            }
        }
    }
}
