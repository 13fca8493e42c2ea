using ApiTokens.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// R37: endpoints and their deliveries. Deliveries of a change are added by AuditMapping.AddAsync with
// the change's own SaveChanges; here are the endpoints, the deliveries on their own (tests, retries)
// and the sender's claims (OutboxSql).
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenWebhookStore
{
    /// <inheritdoc />
    public async Task<ApiTokenWebhook> CreateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = new ApiTokenWebhookEntity { Id = webhook.Id, AccountId = webhook.AccountId, CreatedBy = webhook.CreatedBy, CreatedAt = EntityMapping.Normalize(webhook.CreatedAt), Version = 1 };
            WebhookMapping.CopyTo(webhook, entity);
            context.Set<ApiTokenWebhookEntity>().Add(entity);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return WebhookMapping.ToWebhook(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The webhook could not be created.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiTokenWebhook> UpdateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = await context.Set<ApiTokenWebhookEntity>().SingleOrDefaultAsync(w => w.Id == webhook.Id, cancellationToken).ConfigureAwait(false);
            if (entity is null || entity.Version != webhook.Version)
            {
                throw new ApiTokenConcurrencyException();
            }

            WebhookMapping.CopyTo(webhook, entity);
            context.Entry(entity).Property(w => w.Version).OriginalValue = webhook.Version;
            entity.Version = webhook.Version + 1;
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return WebhookMapping.ToWebhook(entity);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ApiTokenConcurrencyException("The webhook was changed by another operation.", ex);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The webhook could not be updated.");
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await context.Set<ApiTokenWebhookDeliveryEntity>().Where(d => d.WebhookId == webhookId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            return await context.Set<ApiTokenWebhookEntity>().Where(w => w.Id == webhookId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The webhook could not be removed.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiTokenWebhook?> FindWebhookAsync(string webhookId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = await context.Set<ApiTokenWebhookEntity>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == webhookId, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : WebhookMapping.ToWebhook(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The webhook could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiTokenWebhook>> ListWebhooksAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entities = await context.Set<ApiTokenWebhookEntity>().AsNoTracking().Where(w => w.AccountId == accountId).ToListAsync(cancellationToken).ConfigureAwait(false);
            var webhooks = entities.ConvertAll(WebhookMapping.ToWebhook);
            webhooks.Sort(static (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
            return webhooks;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The webhooks could not be listed.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiTokenWebhookDelivery> AddDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = new ApiTokenWebhookDeliveryEntity
            {
                Id = delivery.Id,
                WebhookId = delivery.WebhookId,
                AccountId = delivery.AccountId,
                EventId = delivery.EventId,
                Type = delivery.Type,
                Payload = delivery.Payload,
                CreatedAt = EntityMapping.Normalize(delivery.CreatedAt),
                Attempts = delivery.Attempts,
                Status = (int)delivery.Status,
                LastStatusCode = delivery.LastStatusCode,
                NextAttemptAt = EntityMapping.Normalize(delivery.NextAttemptAt),
                LastAttemptAt = EntityMapping.Normalize(delivery.LastAttemptAt),
            };
            context.Set<ApiTokenWebhookDeliveryEntity>().Add(entity);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return WebhookMapping.ToDelivery(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The delivery could not be written.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiTokenWebhookDelivery?> FindDeliveryAsync(string deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveryId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = await context.Set<ApiTokenWebhookDeliveryEntity>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : WebhookMapping.ToDelivery(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The delivery could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiTokenWebhookDelivery>> ListDeliveriesAsync(string webhookId, long? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var query = context.Set<ApiTokenWebhookDeliveryEntity>().AsNoTracking().Where(d => d.WebhookId == webhookId);
            if (before is { } b)
            {
                query = query.Where(d => d.Sequence < b);
            }

            var entities = await query.OrderByDescending(d => d.Sequence).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
            return entities.ConvertAll(WebhookMapping.ToDelivery);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The deliveries could not be listed.");
        }
    }

    /// <inheritdoc />
    /// <remarks>One statement: <c>UPDATE … WHERE sequence IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING *</c>.</remarks>
    public async Task<IReadOnlyList<ApiTokenWebhookDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var sql = OutboxSql.For(context).ClaimDeliveries(context.Database.ProviderName == NpgsqlProvider);
            var claimed = await context.Set<ApiTokenWebhookDeliveryEntity>()
                .FromSqlRaw(sql, EntityMapping.Normalize(now + lease), EntityMapping.Normalize(now), max)
                .AsNoTracking()
                .AsAsyncEnumerable()
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            claimed.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            return claimed.ConvertAll(WebhookMapping.ToDelivery);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The deliveries could not be claimed.");
        }
    }

    /// <inheritdoc />
    public async Task UpdateDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var nextAttemptAt = EntityMapping.Normalize(delivery.NextAttemptAt);
            var lastAttemptAt = EntityMapping.Normalize(delivery.LastAttemptAt);
            await context.Set<ApiTokenWebhookDeliveryEntity>().Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(
                update => update
                    .SetProperty(d => d.Attempts, delivery.Attempts)
                    .SetProperty(d => d.Status, (int)delivery.Status)
                    .SetProperty(d => d.LastStatusCode, delivery.LastStatusCode)
                    .SetProperty(d => d.NextAttemptAt, nextAttemptAt)
                    .SetProperty(d => d.LastAttemptAt, lastAttemptAt),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The delivery could not be updated.");
        }
    }
}
