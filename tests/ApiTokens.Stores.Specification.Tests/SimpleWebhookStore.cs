using ApiTokens.Auditing;
using ApiTokens.Webhooks;

namespace ApiTokens.Stores.Specification.Tests;

public sealed partial class SpecificationCatchesDefectsTests
{
    // Webhooks on the simple store: deliveries written where its writes land (under its lock), unless
    // a defect is switched on — a change written without its deliveries, or a claim that reads and
    // then marks, letting racing claimers take one delivery twice.
    private sealed class SimpleWebhookStore : SimpleStore, IApiTokenWebhookStore
    {
        private readonly Dictionary<string, ApiTokenWebhook> _webhooks = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ApiTokenWebhookDelivery> _deliveries = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();
        private readonly TaskCompletionSource _racing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _sequence;
        private int _claimers;

        public bool DeliversWithTheChange { get; init; } = true;

        public bool ClaimsAtomically { get; init; } = true;

        protected override void Landed(ApiTokenAuditRecord? audit)
        {
            if (!DeliversWithTheChange || audit?.Event is not { } e)
            {
                return;
            }

            lock (_lock)
            {
                foreach (var webhook in _webhooks.Values.Where(w => w.AccountId == audit.AccountId && w.Receives(e.Type)))
                {
                    Add(new ApiTokenWebhookDelivery
                    {
                        Id = Guid.NewGuid().ToString("N"),
                        WebhookId = webhook.Id,
                        AccountId = webhook.AccountId,
                        EventId = audit.Id,
                        Type = e.Type,
                        Payload = e.Payload,
                        CreatedAt = audit.At,
                        NextAttemptAt = audit.At,
                    });
                }
            }
        }

        private ApiTokenWebhookDelivery Add(ApiTokenWebhookDelivery delivery)
        {
            var stored = delivery with { Sequence = ++_sequence };
            _deliveries[stored.Id] = stored;
            return stored;
        }

        public Task<ApiTokenWebhook> CreateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                var stored = webhook with { Version = 1 };
                _webhooks.Add(stored.Id, stored);
                return Task.FromResult(stored);
            }
        }

        public Task<ApiTokenWebhook> UpdateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (!_webhooks.TryGetValue(webhook.Id, out var current) || current.Version != webhook.Version)
                {
                    throw new ApiTokenConcurrencyException();
                }

                return Task.FromResult(_webhooks[webhook.Id] = webhook with { Version = current.Version + 1 });
            }
        }

        public Task<bool> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                foreach (var delivery in _deliveries.Values.Where(d => d.WebhookId == webhookId).ToList())
                {
                    _deliveries.Remove(delivery.Id);
                }

                return Task.FromResult(_webhooks.Remove(webhookId));
            }
        }

        public Task<ApiTokenWebhook?> FindWebhookAsync(string webhookId, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult(_webhooks.GetValueOrDefault(webhookId));
            }
        }

        public Task<IReadOnlyList<ApiTokenWebhook>> ListWebhooksAsync(string accountId, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<ApiTokenWebhook>>([.. _webhooks.Values.Where(w => w.AccountId == accountId).OrderBy(w => w.CreatedAt)]);
            }
        }

        public Task<ApiTokenWebhookDelivery> AddDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return _deliveries.ContainsKey(delivery.Id) ? throw new ApiTokenStoreException("duplicate") : Task.FromResult(Add(delivery));
            }
        }

        public Task<ApiTokenWebhookDelivery?> FindDeliveryAsync(string deliveryId, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult(_deliveries.GetValueOrDefault(deliveryId));
            }
        }

        public Task<IReadOnlyList<ApiTokenWebhookDelivery>> ListDeliveriesAsync(string webhookId, long? before, int limit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult<IReadOnlyList<ApiTokenWebhookDelivery>>([.. _deliveries.Values
                    .Where(d => d.WebhookId == webhookId && (before is null || d.Sequence < before))
                    .OrderByDescending(d => d.Sequence)
                    .Take(limit)]);
            }
        }

        public async Task<IReadOnlyList<ApiTokenWebhookDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
        {
            if (!ClaimsAtomically)
            {
                // The defect: pick, wait for a second claimer to pick too, then mark.
                List<ApiTokenWebhookDelivery> picked;
                lock (_lock)
                {
                    picked = Due(now, max);
                }

                if (Interlocked.Increment(ref _claimers) > 1)
                {
                    _racing.TrySetResult();
                }

                await _racing.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                lock (_lock)
                {
                    return Mark(picked, now, lease);
                }
            }

            lock (_lock)
            {
                return Mark(Due(now, max), now, lease);
            }
        }

        private List<ApiTokenWebhookDelivery> Due(DateTimeOffset now, int max)
            => [.. _deliveries.Values.Where(d => d.Status == ApiTokenWebhookDeliveryStatus.Pending && d.NextAttemptAt <= now).OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Sequence).Take(max)];

        private List<ApiTokenWebhookDelivery> Mark(List<ApiTokenWebhookDelivery> picked, DateTimeOffset now, TimeSpan lease)
            => [.. picked.Select(d => _deliveries[d.Id] = d with { NextAttemptAt = now + lease })];

        public Task UpdateDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_deliveries.ContainsKey(delivery.Id))
                {
                    _deliveries[delivery.Id] = delivery;
                }
            }

            return Task.CompletedTask;
        }
    }
}
