using ApiTokens.Auditing;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// R8, R19, R22: apps recorded exactly once across processes, and last uses written a batch at a time
// (AppSql builds the statements).
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext>
{
    /// <inheritdoc />
    public async Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            var current = await FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
            if (current is null || current.FindApp(app.Name) is not null || current.Apps.Count >= maxApps)
            {
                return new(current, Recorded: false);
            }

            int inserted;
            await using (var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            {
                inserted = await RecordAppCoreAsync(context, tokenId, app, maxApps, audit, Notifies(context) ? _channel : null, Payload(tokenId), cancellationToken).ConfigureAwait(false);
            }

            // Re-read: whoever won, this is the state every caller sees. Only the insert that won
            // says it recorded the app.
            return new(await FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false), Recorded: inserted == 1);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The app could not be recorded under the API token.");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One command per batch (one round trip) that only ever moves a time forward, so nodes flushing
    /// in any order keep the latest. PostgreSQL: two set-based <c>UPDATE</c>s over arrays (one per
    /// table), run atomically. SQLite: an <c>UPDATE</c> per app and per token in one transaction (one
    /// write to the journal).
    /// </remarks>
    public async Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uses);
        if (uses.Count == 0)
        {
            return;
        }

        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var sql = AppSql.For(context);
            var (command, parameters) = context.Database.ProviderName == NpgsqlProvider ? sql.UsesAsArrays(uses) : sql.UsesAsJson(uses);
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(
                (Context: context, Command: command, Parameters: parameters),
                static async (_, state, ct) =>
                {
                    var database = state.Context.Database;
                    if (database.ProviderName == NpgsqlProvider)
                    {
                        return await database.ExecuteSqlRawAsync(state.Command, state.Parameters, ct).ConfigureAwait(false);
                    }

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
            throw Wrap(ex, "The last-use times could not be written.");
        }
    }

    private static Task<int> RecordAppCoreAsync(TContext context, string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, string? channel, string payload, CancellationToken cancellationToken)
    {
        var sql = AppSql.For(context);
        var strategy = context.Database.CreateExecutionStrategy();
        return strategy.ExecuteAsync(
            (Context: context, Sql: sql, TokenId: tokenId, App: app, MaxApps: maxApps, Audit: audit, Channel: channel, Payload: payload),
            static async (_, state, ct) =>
            {
                var database = state.Context.Database;
                await using var transaction = await database.BeginTransactionAsync(ct).ConfigureAwait(false);

                // 1. Take the token's row lock (a no-op update): concurrent recorders of this token
                //    queue here, in this process or any other, so the count below is exact.
                var locked = await database.ExecuteSqlRawAsync(state.Sql.Lock, [state.TokenId], ct).ConfigureAwait(false);
                if (locked == 0)
                {
                    return 0;
                }

                // 2. Insert if absent and under the limit; the (token, name) key makes a duplicate impossible.
                var inserted = await database.ExecuteSqlRawAsync(
                    state.Sql.Insert,
                    [state.TokenId, state.App.Name, (int)state.App.State, EntityMapping.Normalize(state.App.FirstSeenAt), state.TokenId, state.MaxApps],
                    ct).ConfigureAwait(false);

                // 3. A recorded app is a change of the token (R19): bump its version.
                if (inserted == 1)
                {
                    await database.ExecuteSqlRawAsync(state.Sql.Bump, [state.TokenId], ct).ConfigureAwait(false);
                    if (state.Audit is not null)
                    {
                        // R24: the first sight's record commits with it, and only with the insert that won.
                        state.Context.ChangeTracker.Clear();
                        await AuditMapping.AddAsync(state.Context, state.Audit, ct).ConfigureAwait(false);
                        await state.Context.SaveChangesAsync(ct).ConfigureAwait(false);
                    }

                    if (state.Channel is not null)
                    {
                        // R26: announced in the same transaction as the change.
                        await database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [state.Channel, state.Payload], ct).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return inserted;
            },
            verifySucceeded: null,
            cancellationToken);
    }
}
