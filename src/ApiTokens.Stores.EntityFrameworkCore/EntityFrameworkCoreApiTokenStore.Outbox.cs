using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The outbox: messages written durably, claimed by one node at a time (OutboxSql), removed when done.
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenOutboxStore
{
    /// <inheritdoc />
    public async Task EnqueueAsync(ApiTokenOutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            context.Set<ApiTokenOutboxEntity>().Add(new ApiTokenOutboxEntity
            {
                Id = message.Id,
                Kind = message.Kind,
                Payload = message.Payload,
                CreatedAt = EntityMapping.Normalize(message.CreatedAt),
                NextAttemptAt = EntityMapping.Normalize(message.NextAttemptAt),
                Attempts = message.Attempts,
            });
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The outbox message could not be written.");
        }
    }

    /// <inheritdoc />
    /// <remarks>One statement: <c>UPDATE … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING *</c>.</remarks>
    public async Task<IReadOnlyList<ApiTokenOutboxMessage>> ClaimAsync(string kind, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var sql = OutboxSql.For(context).Claim(context.Database.ProviderName == NpgsqlProvider);
            var claimed = await context.Set<ApiTokenOutboxEntity>()
                .FromSqlRaw(sql, EntityMapping.Normalize(now + lease), kind, EntityMapping.Normalize(now), max)
                .AsNoTracking()
                .AsAsyncEnumerable()
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            claimed.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            return claimed.ConvertAll(static m => new ApiTokenOutboxMessage
            {
                Id = m.Id,
                Kind = m.Kind,
                Payload = m.Payload,
                CreatedAt = m.CreatedAt,
                NextAttemptAt = m.NextAttemptAt,
                Attempts = m.Attempts,
            });
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The outbox could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task CompleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await context.Set<ApiTokenOutboxEntity>().Where(m => m.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The outbox message could not be removed.");
        }
    }
}
