using System.Data.Common;
using ApiTokens.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>
/// An <see cref="IApiTokenStore"/> on Entity Framework Core, with every capability (batch lookups, the
/// audit trail, usage, the outbox). Thread-safe: every operation uses its own
/// context from <see cref="IDbContextFactory{TContext}"/> (register one with <c>AddDbContextFactory</c>
/// or <c>AddPooledDbContextFactory</c>), so the store is a singleton and concurrent requests never
/// share a context.
/// </summary>
/// <typeparam name="TContext">A context whose model includes <c>modelBuilder.UseApiTokens()</c>.</typeparam>
/// <remarks>
/// Database failures surface as <see cref="ApiTokenStoreException"/>; a lost optimistic-concurrency
/// race as <see cref="ApiTokenConcurrencyException"/>.
/// </remarks>
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext> : IApiTokenBatchLookupStore
    where TContext : DbContext
{
    internal const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

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
                        await AuditMapping.AddAsync(context, audit, ct).ConfigureAwait(false);
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

    private static async Task<ApiToken> ApplyUpdateAsync(TContext context, ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        var entity = await context.Set<ApiTokenEntity>().Include(t => t.Apps).SingleOrDefaultAsync(t => t.Id == token.Id, cancellationToken).ConfigureAwait(false);
        if (entity is null || entity.Version != token.Version)
        {
            throw new ApiTokenConcurrencyException();
        }

        EntityMapping.CopyFields(token, entity);
        EntityMapping.SyncApps(context, entity, token);

        // The version is the concurrency token: EF updates WHERE version = <the version read>,
        // so a writer that lost the race in another process affects no row and fails.
        context.Entry(entity).Property(t => t.Version).OriginalValue = token.Version;
        entity.Version = token.Version + 1;
        if (audit is not null)
        {
            await AuditMapping.AddAsync(context, audit, cancellationToken).ConfigureAwait(false);
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return EntityMapping.ToToken(entity);
    }

    private bool Notifies(TContext context) => _channel is not null && context.Database.ProviderName == NpgsqlProvider;

    private Task<int> NotifyAsync(TContext context, string tokenId, CancellationToken cancellationToken)
        => context.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [_channel!, Payload(tokenId)], cancellationToken);

    // R26: the token id, and this node's mark so its own listener can tell its echo.
    private string Payload(string tokenId) => _origin is null ? tokenId : tokenId + " " + _origin;

    // Only what the database does is an outage (503). A model without UseApiTokens(), a missing
    // provider or a disposed factory throw InvalidOperationException of their own: those are
    // configuration errors, checked at start-up, and must not pass for a store that is down.
    internal static bool IsDatabaseFailure(Exception ex) => ex switch
    {
        ApiTokenStoreException => false,
        DbException or DbUpdateException or TimeoutException or RetryLimitExceededException => true,

        // How a provider's execution strategy reports a transient database error it did not retry.
        InvalidOperationException { InnerException: DbException or TimeoutException } => true,
        _ => false,
    };

    internal static ApiTokenStoreException Wrap(Exception ex, string message) => new(message, ex);
}
