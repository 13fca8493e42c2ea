using ApiTokens.Auditing;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// R24: records of events that change no token, and the trail read back, newest first (records of
// changes are written with them, in the same SaveChanges).
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenAuditStore
{
    /// <inheritdoc />
    public async Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await AuditMapping.AddAsync(context, record, cancellationToken).ConfigureAwait(false);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The audit record could not be written.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiTokenAuditPage> ListAuditAsync(string accountId, string? tokenId, long? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var query = context.Set<ApiTokenAuditEntity>().AsNoTracking().Where(a => a.AccountId == accountId);
            if (tokenId is not null)
            {
                query = query.Where(a => a.TokenId == tokenId);
            }

            if (before is { } b)
            {
                query = query.Where(a => a.Sequence < b);
            }

            var rows = await query.OrderByDescending(a => a.Sequence).Take(limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
            var more = rows.Count > limit;
            var records = rows.Take(limit).Select(AuditMapping.ToRecord).ToList();
            return new ApiTokenAuditPage(records, more ? records[^1].Sequence : null);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The audit records could not be read.");
        }
    }
}
