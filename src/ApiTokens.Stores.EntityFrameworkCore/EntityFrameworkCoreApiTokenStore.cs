using System.Data.Common;
using ApiTokens.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>
/// An <see cref="IApiTokenStore"/> on Entity Framework Core. Thread-safe: every operation uses its own
/// context from <see cref="IDbContextFactory{TContext}"/> (register one with <c>AddDbContextFactory</c>
/// or <c>AddPooledDbContextFactory</c>), so the store is a singleton and concurrent requests never
/// share a context.
/// </summary>
/// <typeparam name="TContext">A context whose model includes <c>modelBuilder.UseApiTokens()</c>.</typeparam>
/// <remarks>
/// Database failures surface as <see cref="ApiTokenStoreException"/>; a lost optimistic-concurrency
/// race as <see cref="ApiTokenConcurrencyException"/>.
/// </remarks>
public sealed class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenStore
    where TContext : DbContext
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private readonly IDbContextFactory<TContext> _contexts;
    private readonly string? _channel;
    private readonly string? _origin;

    // The query of every cache miss, compiled once per store: no LINQ translation or query-cache
    // lookup per call, no change tracking, and the token with its apps in one round trip (a LEFT
    // JOIN). Retired tokens are filtered in the query (a retired secret costs what an unknown one
    // costs). Per store, not per context type: a compiled query is bound to the model it
    // first ran with, and one context type may be used with several providers (SQLite in tests,
    // PostgreSQL in production), each with a model of its own.
    private readonly Func<TContext, byte[], CancellationToken, Task<ApiTokenEntity?>> _findActiveBySecretHash =
        EF.CompileAsyncQuery((TContext context, byte[] hash, CancellationToken cancellationToken) =>
            context.Set<ApiTokenEntity>()
                .AsNoTracking()
                .Include(t => t.Apps)
                .FirstOrDefault(t => (t.SecretHash == hash || t.PreviousSecretHash == hash) && t.RetiredAt == null));

    /// <summary>Creates the store.</summary>
    /// <param name="contexts">Creates a context per operation.</param>
    public EntityFrameworkCoreApiTokenStore(IDbContextFactory<TContext> contexts)
        : this(contexts, Options.Create(new EntityFrameworkCoreStoreOptions()))
    {
    }

    /// <summary>Creates the store with options (the dependency-injection constructor).</summary>
    /// <param name="contexts">Creates a context per operation.</param>
    /// <param name="options">The store's options.</param>
    public EntityFrameworkCoreApiTokenStore(IDbContextFactory<TContext> contexts, IOptions<EntityFrameworkCoreStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentNullException.ThrowIfNull(options);
        _contexts = contexts;
        _channel = options.Value.NotificationChannel;
        _origin = options.Value.NotificationOrigin;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One transaction: on PostgreSQL a transaction-scoped advisory lock on the holder serializes
    /// concurrent creations for it (in any process) before the count; SQLite transactions take the
    /// database's write lock when they begin.
    /// </remarks>
    public async Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var strategy = context.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync(
                (Context: context, Token: token, MaxActive: maxActive, Audit: audit),
                static async (_, state, ct) =>
                {
                    var (context, token, maxActive, audit) = state;
                    context.ChangeTracker.Clear();
                    var database = context.Database;
                    await using var transaction = await database.BeginTransactionAsync(ct).ConfigureAwait(false);
                    if (await CountActiveAsync(context, token, exceptId: null, ct).ConfigureAwait(false) >= maxActive)
                    {
                        return null;
                    }

                    var hash = token.SecretHash;
                    if (await context.Set<ApiTokenEntity>().AnyAsync(t => t.SecretHash == hash || t.PreviousSecretHash == hash, ct).ConfigureAwait(false))
                    {
                        throw new ApiTokenDuplicateSecretException();
                    }

                    var entity = EntityMapping.ToEntity(token, version: 1);
                    context.Set<ApiTokenEntity>().Add(entity);
                    if (audit is not null)
                    {
                        context.Set<ApiTokenAuditEntity>().Add(AuditMapping.ToEntity(audit));
                    }

                    await context.SaveChangesAsync(ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return EntityMapping.ToToken(entity);
                },
                verifySucceeded: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            // A concurrent creation with the same hash committed first (another holder's lock, or
            // another process): the unique index refused this insert.
            if (ex is DbUpdateException && await HasSecretHashAsync(token.SecretHash, cancellationToken).ConfigureAwait(false))
            {
                throw new ApiTokenDuplicateSecretException("Another token already has this secret.", ex);
            }

            throw Wrap(ex, "The API token could not be created.");
        }
    }

    // After a refused insert: whether the hash is now stored (then the refusal was the unique index).
    private async Task<bool> HasSecretHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            return await context.Set<ApiTokenEntity>().AsNoTracking()
                .AnyAsync(t => t.SecretHash == hash || t.PreviousSecretHash == hash, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            return false;
        }
    }

    /// <inheritdoc />
    /// <remarks>The audit record is inserted by the same <c>SaveChanges</c> as the change, in the same transaction.</remarks>
    public async Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        => (await UpdateCoreAsync(token, maxActive: null, audit, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc />
    /// <remarks>
    /// One transaction, serialized with creations for the same holder exactly as
    /// <see cref="TryCreateAsync"/> is: the count, the update and its audit record commit together.
    /// </remarks>
    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        => UpdateCoreAsync(token, maxActive, audit, cancellationToken);

    private async Task<ApiToken?> UpdateCoreAsync(ApiToken token, int? maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var notifies = Notifies(context);
            if (!notifies && maxActive is null)
            {
                return await ApplyUpdateAsync(context, token, audit, cancellationToken).ConfigureAwait(false);
            }

            return await context.Database.CreateExecutionStrategy().ExecuteAsync(
                (Store: this, Context: context, Token: token, Audit: audit, MaxActive: maxActive, Notifies: notifies),
                static async (_, state, ct) =>
                {
                    var (store, context, token, audit, maxActive, notifies) = state;
                    context.ChangeTracker.Clear();
                    await using var transaction = await context.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                    if (maxActive is { } max && !token.IsRetired)
                    {
                        // A stale version is a conflict before it is a quota question (as in every store).
                        if (!await context.Set<ApiTokenEntity>().AnyAsync(t => t.Id == token.Id && t.Version == token.Version, ct).ConfigureAwait(false))
                        {
                            throw new ApiTokenConcurrencyException();
                        }

                        if (await CountActiveAsync(context, token, exceptId: token.Id, ct).ConfigureAwait(false) >= max)
                        {
                            return null;
                        }
                    }

                    var saved = await ApplyUpdateAsync(context, token, audit, ct).ConfigureAwait(false);
                    if (notifies)
                    {
                        // R26: the change and its announcement commit together.
                        await store.NotifyAsync(context, token.Id, ct).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return saved;
                },
                verifySucceeded: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ApiTokenConcurrencyException("The API token was changed by another operation.", ex);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API token could not be updated.");
        }
    }

    // In a transaction: the active tokens of the holder a token counts against (R28), other than
    // exceptId. On PostgreSQL a transaction-scoped advisory lock on the holder serializes every
    // creation and promotion for it (in any process) before the count; SQLite transactions take the
    // database's write lock when they begin.
    private static async Task<int> CountActiveAsync(TContext context, ApiToken token, string? exceptId, CancellationToken cancellationToken)
    {
        var database = context.Database;
        if (database.ProviderName == NpgsqlProvider)
        {
            var holder = token.Type == TokenType.User ? $"apitokens:user:{token.AccountId}:{token.OwnerId}" : $"apitokens:account:{token.AccountId}";
            await database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended({0}, 0))", [holder], cancellationToken).ConfigureAwait(false);
        }

        var active = context.Set<ApiTokenEntity>().Where(t => t.AccountId == token.AccountId && t.Type == token.Type && t.RetiredAt == null);
        if (token.Type == TokenType.User)
        {
            active = active.Where(t => t.OwnerId == token.OwnerId);
        }

        if (exceptId is not null)
        {
            active = active.Where(t => t.Id != exceptId);
        }

        return await active.CountAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = await context.Set<ApiTokenEntity>().AsNoTracking().Include(t => t.Apps).SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : EntityMapping.ToToken(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API token could not be read.");
        }
    }

    /// <inheritdoc />
    public async Task<ApiToken?> FindActiveBySecretHashAsync(ReadOnlyMemory<byte> secretHash, CancellationToken cancellationToken)
    {
        var hash = secretHash.ToArray();
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = await _findActiveBySecretHash(context, hash, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : EntityMapping.ToToken(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API token could not be read.");
        }
    }

    /// <inheritdoc />
    /// <remarks>One query for the whole batch (the tokens and their apps in one round trip).</remarks>
    public Task<IReadOnlyList<ApiToken>> FindActiveBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, CancellationToken cancellationToken)
        => FindBySecretHashesAsync(secretHashes, includeRetired: false, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One query for the whole batch, as <see cref="FindActiveBySecretHashesAsync"/>.</remarks>
    public Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, CancellationToken cancellationToken)
        => FindBySecretHashesAsync(secretHashes, includeRetired: true, cancellationToken);

    private async Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretHashes);
        if (secretHashes.Count == 0)
        {
            return [];
        }

        var hashes = new byte[secretHashes.Count][];
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = secretHashes[i].ToArray();
        }

        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entities = await context.Set<ApiTokenEntity>()
                .AsNoTracking()
                .Include(t => t.Apps)
                .Where(t => (hashes.Contains(t.SecretHash) || hashes.Contains(t.PreviousSecretHash!)) && (includeRetired || t.RetiredAt == null))
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            return entities.ConvertAll(EntityMapping.ToToken);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API tokens could not be read.");
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One keyset query on (<c>created_at</c>, <c>id</c>) for the page's tokens, with their apps.
    /// Written in SQL because SQLite has no DateTimeOffset comparison in LINQ; its stored ISO-8601
    /// UTC text orders like the time (every stored time is normalized to UTC).
    /// </remarks>
    public async Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var (sql, parameters) = AppSql.For(context).Page(accountId, ownerId, after, limit);
            var entities = await context.Set<ApiTokenEntity>()
                .FromSqlRaw(sql, parameters)
                .AsNoTracking()
                .Include(t => t.Apps)
                .ToListAsync(cancellationToken)
                .ConfigureAwait(false);
            var tokens = entities.ConvertAll(EntityMapping.ToToken);

            // The page's own order is set here: the outer query of an Include does not keep it.
            tokens.Sort(ApiTokenListPosition.Compare);
            return tokens;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API tokens could not be listed.");
        }
    }

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
            var (command, parameters) = context.Database.ProviderName == NpgsqlProvider ? sql.UsesAsArrays(uses) : sql.Uses(uses);
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

    /// <inheritdoc />
    public async Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            context.Set<ApiTokenAuditEntity>().Add(AuditMapping.ToEntity(record));
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
                        state.Context.Set<ApiTokenAuditEntity>().Add(AuditMapping.ToEntity(state.Audit));
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

    private static async Task<ApiToken> ApplyUpdateAsync(TContext context, ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        var entity = await context.Set<ApiTokenEntity>().Include(t => t.Apps).SingleOrDefaultAsync(t => t.Id == token.Id, cancellationToken).ConfigureAwait(false);
        if (entity is null || entity.Version != token.Version)
        {
            throw new ApiTokenConcurrencyException();
        }

        EntityMapping.CopyFields(token, entity);
        SyncApps(context, entity, token);

        // The version is the concurrency token: EF updates WHERE version = <the version read>,
        // so a writer that lost the race in another process affects no row and fails.
        context.Entry(entity).Property(t => t.Version).OriginalValue = token.Version;
        entity.Version = token.Version + 1;
        if (audit is not null)
        {
            context.Set<ApiTokenAuditEntity>().Add(AuditMapping.ToEntity(audit));
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return EntityMapping.ToToken(entity);
    }

    private bool Notifies(TContext context) => _channel is not null && context.Database.ProviderName == NpgsqlProvider;

    private Task<int> NotifyAsync(TContext context, string tokenId, CancellationToken cancellationToken)
        => context.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [_channel!, Payload(tokenId)], cancellationToken);

    // R26: the token id, and this node's mark so its own listener can tell its echo.
    private string Payload(string tokenId) => _origin is null ? tokenId : tokenId + " " + _origin;

    private static void SyncApps(TContext context, ApiTokenEntity entity, ApiToken token)
    {
        var wanted = new Dictionary<string, TokenApp>(token.Apps.Count, StringComparer.Ordinal);
        foreach (var app in token.Apps)
        {
            wanted[app.Name] = app;
        }

        foreach (var existing in entity.Apps.ToList())
        {
            if (wanted.Remove(existing.Name, out var app))
            {
                existing.State = app.State;
                existing.FirstSeenAt = EntityMapping.Normalize(app.FirstSeenAt);
            }
            else
            {
                entity.Apps.Remove(existing);
                context.Remove(existing);
            }
        }

        foreach (var app in wanted.Values)
        {
            entity.Apps.Add(new ApiTokenAppEntity { TokenId = entity.Id, Name = app.Name, State = app.State, FirstSeenAt = EntityMapping.Normalize(app.FirstSeenAt) });
        }
    }

    // Only what the database does is an outage (503). A model without UseApiTokens(), a missing
    // provider or a disposed factory throw InvalidOperationException of their own: those are
    // configuration errors, checked at start-up, and must not pass for a store that is down.
    private static bool IsDatabaseFailure(Exception ex) => ex switch
    {
        ApiTokenStoreException => false,
        DbException or DbUpdateException or TimeoutException or RetryLimitExceededException => true,

        // How a provider's execution strategy reports a transient database error it did not retry.
        InvalidOperationException { InnerException: DbException or TimeoutException } => true,
        _ => false,
    };

    private static ApiTokenStoreException Wrap(Exception ex, string message) => new(message, ex);

    // The statements of RecordAppAsync and RecordUsesAsync, built once per model from its real table
    // and column names. Internal for the benchmarks (LastUseFlushBenchmarks runs both shapes).
    internal sealed record AppSql(string Lock, string Insert, string Bump, string AppUsed, string TokenUsed, string UsedSet, string PageAccount, string PageOwner, string PageAfter, string PageOrder)
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IModel, AppSql> s_cache = [];

        public static AppSql For(DbContext context)
            => s_cache.GetValue(context.Model, _ => Build(context));

        private static AppSql Build(DbContext context)
        {
            var sql = context.GetService<ISqlGenerationHelper>();
            var tokenType = context.Model.FindEntityType(typeof(ApiTokenEntity))!;
            var appType = context.Model.FindEntityType(typeof(ApiTokenAppEntity))!;
            var tokenTable = StoreObjectIdentifier.Table(tokenType.GetTableName()!, tokenType.GetSchema());
            var appTable = StoreObjectIdentifier.Table(appType.GetTableName()!, appType.GetSchema());
            string Column(IEntityType type, StoreObjectIdentifier table, string property)
                => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);

            var tokens = sql.DelimitIdentifier(tokenTable.Name, tokenTable.Schema);
            var apps = sql.DelimitIdentifier(appTable.Name, appTable.Schema);
            var id = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Id));
            var version = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Version));
            var appToken = Column(appType, appTable, nameof(ApiTokenAppEntity.TokenId));
            var name = Column(appType, appTable, nameof(ApiTokenAppEntity.Name));
            var state = Column(appType, appTable, nameof(ApiTokenAppEntity.State));
            var firstSeen = Column(appType, appTable, nameof(ApiTokenAppEntity.FirstSeenAt));
            var appLastUsed = Column(appType, appTable, nameof(ApiTokenAppEntity.LastUsedAt));
            var tokenLastUsed = Column(tokenType, tokenTable, nameof(ApiTokenEntity.LastUsedAt));
            var account = Column(tokenType, tokenTable, nameof(ApiTokenEntity.AccountId));
            var owner = Column(tokenType, tokenTable, nameof(ApiTokenEntity.OwnerId));
            var type = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Type));
            var createdAt = Column(tokenType, tokenTable, nameof(ApiTokenEntity.CreatedAt));


            return new AppSql(
                Lock: $"UPDATE {tokens} SET {version} = {version} WHERE {id} = {{0}}",
                Insert: $"INSERT INTO {apps} ({appToken}, {name}, {state}, {firstSeen}) SELECT {{0}}, {{1}}, {{2}}, {{3}} " +
                        $"WHERE (SELECT COUNT(*) FROM {apps} WHERE {appToken} = {{4}}) < {{5}} ON CONFLICT ({appToken}, {name}) DO NOTHING",
                Bump: $"UPDATE {tokens} SET {version} = {version} + 1 WHERE {id} = {{0}}",
                AppUsed: $"UPDATE {apps} SET {appLastUsed} = {{0}} WHERE {appToken} = {{1}} AND {name} = {{2}} AND ({appLastUsed} IS NULL OR {appLastUsed} < {{0}});",
                TokenUsed: $"UPDATE {tokens} SET {tokenLastUsed} = (SELECT MAX({appLastUsed}) FROM {apps} WHERE {appToken} = {{0}}) WHERE {id} = {{0}};",
                UsedSet: $"UPDATE {apps} AS a SET {appLastUsed} = u.used_at FROM unnest({{0}}::text[], {{1}}::text[], {{2}}::timestamptz[]) AS u(token_id, app_name, used_at) " +
                         $"WHERE a.{appToken} = u.token_id AND a.{name} = u.app_name AND (a.{appLastUsed} IS NULL OR a.{appLastUsed} < u.used_at);\n" +
                         $"UPDATE {tokens} AS t SET {tokenLastUsed} = (SELECT MAX(a.{appLastUsed}) FROM {apps} AS a WHERE a.{appToken} = t.{id}) WHERE t.{id} = ANY({{3}});",
                PageAccount: $"SELECT * FROM {tokens} WHERE {account} = {{0}}",
                PageOwner: $" AND {type} = {{0}} AND {owner} = {{1}}",
                PageAfter: $" AND ({createdAt} < {{0}} OR ({createdAt} = {{0}} AND {id} < {{1}}))",
                PageOrder: $" ORDER BY {createdAt} DESC, {id} DESC LIMIT {{0}}");
        }

        // A page of ListAsync: newest first, after a position (times compared as stored: normalized UTC).
        public (string Command, object[] Parameters) Page(string accountId, string? ownerId, ApiTokenListPosition? after, int limit)
        {
            var command = new System.Text.StringBuilder(PageAccount);
            var parameters = new List<object>(6) { accountId };
            if (ownerId is not null)
            {
                Append(command, parameters, PageOwner, (int)TokenType.User, ownerId);
            }

            if (after is { } position)
            {
                Append(command, parameters, PageAfter, EntityMapping.Normalize(position.CreatedAt), position.Id);
            }

            Append(command, parameters, PageOrder, limit);
            return (command.ToString(), parameters.ToArray());
        }

        // One command for a batch of uses: a statement per app, then one per token setting its last
        // use to its latest app's. Times only move forward (SQLite compares its ISO-8601 UTC text,
        // which orders like the time).
        public (string Command, object[] Parameters) Uses(IReadOnlyList<ApiTokenUse> uses)
        {
            var command = new System.Text.StringBuilder();
            var parameters = new List<object>(uses.Count * 4);
            var tokenIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var use in uses)
            {
                Append(command, parameters, AppUsed, EntityMapping.Normalize(use.UsedAt), use.TokenId, use.AppName);
                tokenIds.Add(use.TokenId);
            }

            foreach (var tokenId in tokenIds)
            {
                Append(command, parameters, TokenUsed, tokenId);
            }

            return (command.ToString(), parameters.ToArray());
        }

        // PostgreSQL: the same batch as two set-based statements over arrays (one per table), instead
        // of a statement per use: a minute's flush of thousands of uses is parsed, planned and run
        // twice, not thousands of times (the flush made one slow 5-second slice a minute under load).
        public (string Command, object[] Parameters) UsesAsArrays(IReadOnlyList<ApiTokenUse> uses)
        {
            var tokenIds = new string[uses.Count];
            var appNames = new string[uses.Count];
            var times = new DateTimeOffset[uses.Count];
            for (var i = 0; i < uses.Count; i++)
            {
                tokenIds[i] = uses[i].TokenId;
                appNames[i] = uses[i].AppName;
                times[i] = EntityMapping.Normalize(uses[i].UsedAt).ToUniversalTime();
            }

            return (UsedSet, [tokenIds, appNames, times, tokenIds.Distinct(StringComparer.Ordinal).ToArray()]);
        }

        private static void Append(System.Text.StringBuilder command, List<object> parameters, string statement, params object[] values)
        {
            var names = new object[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                names[i] = "{" + (parameters.Count + i).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
            }

            // The statement's {0}, {1}, … become this batch's parameter placeholders.
            command.AppendFormat(System.Globalization.CultureInfo.InvariantCulture, statement, names).Append('\n');
            parameters.AddRange(values);
        }
    }
}
