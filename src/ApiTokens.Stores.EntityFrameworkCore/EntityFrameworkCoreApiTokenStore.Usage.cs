using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// R35: usage counts (UsageSql builds the statements).
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenUsageStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One statement per batch, adding to the rows already there: on PostgreSQL an
    /// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE</c> over arrays; on SQLite one upsert
    /// per count in one transaction. Counts of tokens that no longer exist are skipped.
    /// </remarks>
    public async Task RecordUsageAsync(IReadOnlyList<ApiTokenUsageCount> counts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            return;
        }

        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var (command, parameters) = UsageSql.For(context).Record(counts, context.Database.ProviderName == NpgsqlProvider);
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(
                (Context: context, Command: command, Parameters: parameters),
                static async (_, state, ct) =>
                {
                    var database = state.Context.Database;
                    await using var transaction = await database.BeginTransactionAsync(ct).ConfigureAwait(false);
                    var rows = await database.ExecuteSqlRawAsync(state.Command, state.Parameters, ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return rows;
                },
                verifySucceeded: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The usage counts could not be written.");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiTokenUsageCount>> ListUsageAsync(string tokenId, DateOnly from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var rows = await context.Set<ApiTokenUsageEntity>().AsNoTracking()
                .Where(u => u.TokenId == tokenId && u.Day >= from)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.ConvertAll(u => new ApiTokenUsageCount(u.TokenId, u.AppName, u.Day, u.Allowed, u.Pending, u.Denied, u.Limited));
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The usage counts could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task<int> PruneUsageAsync(DateOnly before, CancellationToken cancellationToken)
    {
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await context.Set<ApiTokenUsageEntity>().Where(u => u.Day < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The old usage counts could not be removed.");
        }
    }
}
