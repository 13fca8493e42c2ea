using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

// Reads: by id, by secret hash (the query of every cache miss, compiled), a batch of hashes, a page.
public sealed partial class EntityFrameworkCoreApiTokenStore<TContext>
{
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
    /// <remarks>Without retired tokens (every cache miss): one compiled, untracked query, the token with its apps in one round trip.</remarks>
    public async Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken)
    {
        var hash = secretHash.ToArray();
        try
        {
            await using var context = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var entity = includeRetired
                ? await context.Set<ApiTokenEntity>().AsNoTracking().Include(t => t.Apps)
                    .FirstOrDefaultAsync(t => t.SecretHash == hash || t.PreviousSecretHash == hash, cancellationToken).ConfigureAwait(false)
                : await _findActiveBySecretHash(context, hash, cancellationToken).ConfigureAwait(false);
            return entity is null ? null : EntityMapping.ToToken(entity);
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            throw Wrap(ex, "The API token could not be read.");
        }
    }

    /// <inheritdoc />
    /// <remarks>One query for the whole batch (the tokens and their apps in one round trip).</remarks>
    public async Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken)
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
}
