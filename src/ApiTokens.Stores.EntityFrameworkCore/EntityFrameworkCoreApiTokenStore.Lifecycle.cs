using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The lifecycle sweep's candidates (R38): a page of ids from one set-based query (LifecycleSql), then
// those tokens with their apps.
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenLifecycleStore
{
    // "Never": no token was idle before the epoch.
    private static readonly DateTimeOffset s_never = DateTimeOffset.UnixEpoch;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiToken>> FindLifecycleCandidatesAsync(ApiTokenLifecycleQuery query, string? afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1_000);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var ids = await context.Database.SqlQueryRaw<string>(
                    LifecycleSql.For(context).Candidates,
                    EntityMapping.Normalize(query.Now),
                    EntityMapping.Normalize(query.ExpiringBy),
                    EntityMapping.Normalize(query.IdleSince),
                    EntityMapping.Normalize(query.RetireIdleSince ?? s_never),
                    afterId ?? "",
                    limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return [];
            }

            var entities = await context.Set<ApiTokenEntity>().AsNoTracking().Include(t => t.Apps)
                .Where(t => ids.Contains(t.Id))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var tokens = entities.ConvertAll(EntityMapping.ToToken);
            tokens.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            return tokens;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The lifecycle sweep's tokens could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiToken>> FindRecentlyUsedAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var ids = await context.Database.SqlQueryRaw<string>(LifecycleSql.For(context).RecentlyUsed, EntityMapping.Normalize(now), limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var tokens = new List<ApiToken>(ids.Count);
            for (var i = 0; i < ids.Count; i += 1_000)
            {
                var page = ids.GetRange(i, Math.Min(1_000, ids.Count - i));
                var entities = await context.Set<ApiTokenEntity>().AsNoTracking().Include(t => t.Apps)
                    .Where(t => page.Contains(t.Id))
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                tokens.AddRange(entities.ConvertAll(EntityMapping.ToToken));
            }

            tokens.Sort(static (a, b) => Nullable.Compare(b.LastUsedAt, a.LastUsedAt));
            return tokens;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The recently used tokens could not be read.");
        }
    }
}
