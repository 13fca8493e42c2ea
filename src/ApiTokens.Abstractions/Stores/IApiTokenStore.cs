using ApiTokens.Auditing;
using ApiTokens.Validation;

namespace ApiTokens.Stores;

/// <summary>
/// Persists API tokens. A store decides nothing: every rule lives in <see cref="ApiTokenManager"/>
/// and <see cref="ApiTokenValidator"/>. Implementations must be thread-safe.
/// </summary>
/// <remarks>
/// Failures of the underlying storage surface as <see cref="ApiTokenStoreException"/>; a write that
/// loses an optimistic-concurrency race surfaces as <see cref="ApiTokenConcurrencyException"/>.
/// The shared specification tests (<c>ApiTokenStoreSpecification</c>) describe the contract exactly.
/// </remarks>
public interface IApiTokenStore
{
    /// <summary>Adds a new token. Its <see cref="ApiToken.Version"/> is ignored; the stored token starts at version 1.</summary>
    /// <param name="token">The token to add; its id and secret hash must be unique.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored.</returns>
    Task<ApiToken> CreateAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a new token unless its holder already has <paramref name="maxActive"/> active tokens of
    /// its type (R28): for a user token, the active user tokens of the same owner in the account; for
    /// an account token, the active account tokens of the account. Active means not retired. The
    /// count and the insert are one atomic step: concurrent calls, in this process or any other,
    /// never leave more than <paramref name="maxActive"/>.
    /// </summary>
    /// <param name="token">The token to add, as for <see cref="CreateAsync"/>.</param>
    /// <param name="maxActive">The most active tokens the holder may have, this one included.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, or <see langword="null"/> (nothing added) when the holder is at the limit.</returns>
    Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, CancellationToken cancellationToken)
        => TryCreateAsync(token, maxActive, audit: null, cancellationToken);

    /// <summary>
    /// <see cref="TryCreateAsync(ApiToken, int, CancellationToken)"/>, writing <paramref name="audit"/>
    /// in the same atomic step when the token is added (R24): no token without its record, no record
    /// without its token.
    /// </summary>
    /// <param name="token">The token to add.</param>
    /// <param name="maxActive">The most active tokens the holder may have, this one included.</param>
    /// <param name="audit">The audit record of the creation, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, or <see langword="null"/> (nothing added, no record) at the limit.</returns>
    Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a whole token if its stored version still equals <paramref name="token"/>'s
    /// <see cref="ApiToken.Version"/>, and increments the version. Otherwise throws
    /// <see cref="ApiTokenConcurrencyException"/> and changes nothing.
    /// </summary>
    /// <remarks>
    /// The id and account never change. The secret hashes do when a token is rotated (R23): after
    /// the update, <see cref="FindActiveBySecretHashAsync"/> finds the token by its new
    /// <see cref="ApiToken.SecretHash"/> and its <see cref="ApiToken.PreviousSecretHash"/>, and no
    /// longer by a hash it dropped. Last-use times (<see cref="ApiToken.LastUsedAt"/>,
    /// <see cref="TokenApp.LastUsedAt"/>) are kept as stored, whatever the token passed holds: only
    /// <see cref="RecordUsesAsync"/> writes them.
    /// </remarks>
    /// <param name="token">The changed token, carrying the version it was read at.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, with its new version.</returns>
    Task<ApiToken> UpdateAsync(ApiToken token, CancellationToken cancellationToken)
        => UpdateAsync(token, audit: null, cancellationToken);

    /// <summary>
    /// <see cref="UpdateAsync(ApiToken, CancellationToken)"/>, writing <paramref name="audit"/> in the
    /// same transaction (R24): an update that lands has its record; one that loses the version check
    /// has none.
    /// </summary>
    /// <param name="token">The changed token, carrying the version it was read at.</param>
    /// <param name="audit">The audit record of the change, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, with its new version.</returns>
    Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>Finds a token by its id.</summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the active (not retired) token whose <see cref="ApiToken.SecretHash"/> or
    /// <see cref="ApiToken.PreviousSecretHash"/> is this hash: an indexed lookup, the store call of
    /// every cache miss. Expiry and the end of a grace period are judged by the caller.
    /// </summary>
    /// <remarks>
    /// A retired token is not found, and finding nothing should cost the same for a retired secret
    /// as for one that never existed (filter in the query, do not load the token and its apps to
    /// discard them): a refusal must not tell, by its timing, that a secret was once real.
    /// </remarks>
    /// <param name="secretHash">The SHA-256 hash of the secret.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The active token, or <see langword="null"/>.</returns>
    Task<ApiToken?> FindActiveBySecretHashAsync(ReadOnlyMemory<byte> secretHash, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the active tokens of many secret hashes in one call: each hash as
    /// <see cref="FindActiveBySecretHashAsync"/> finds it (a token's <see cref="ApiToken.SecretHash"/>
    /// or <see cref="ApiToken.PreviousSecretHash"/>, retired tokens excluded). The validation cache
    /// reloads the entries that fall due together with one such call (refresh-ahead, issue 16).
    /// </summary>
    /// <remarks>
    /// The default calls <see cref="FindActiveBySecretHashAsync"/> once per hash, so existing stores
    /// keep working unchanged; a database store should read the whole batch in one round trip
    /// (<c>WHERE secret_hash = ANY(@hashes) OR previous_secret_hash = ANY(@hashes)</c>). The caller
    /// matches each token to its hash; the order of the result does not matter.
    /// </remarks>
    /// <param name="secretHashes">SHA-256 hashes of secrets; the validator sends at most a few hundred.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Every active token one of the hashes belongs to, each once; a hash that finds nothing adds nothing.</returns>
    Task<IReadOnlyList<ApiToken>> FindActiveBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, CancellationToken cancellationToken)
        => ApiTokenStoreDefaults.FindOneByOneAsync(this, secretHashes, cancellationToken);

    /// <summary>Lists the tokens of an account, optionally only those of one owner, oldest first.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="ownerId">When not <see langword="null"/>, only user tokens owned by this member.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tokens, retired ones included.</returns>
    Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, CancellationToken cancellationToken);

    /// <summary>
    /// Records an application under a token exactly once, atomically: if an application of that
    /// name is already recorded, nothing changes; if the token already holds
    /// <paramref name="maxApps"/> applications, nothing changes; otherwise the application is added
    /// and the version incremented. Concurrent calls with the same name record it once.
    /// </summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="app">The application to record.</param>
    /// <param name="maxApps">The most applications a token may hold.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// The token as stored after the call (holding the application unless the limit was reached),
    /// or <see langword="null"/> when the token does not exist.
    /// </returns>
    Task<ApiToken?> RecordAppAsync(string tokenId, TokenApp app, int maxApps, CancellationToken cancellationToken)
        => RecordAppAsync(tokenId, app, maxApps, audit: null, cancellationToken);

    /// <summary>
    /// <see cref="RecordAppAsync(string, TokenApp, int, CancellationToken)"/>, writing
    /// <paramref name="audit"/> in the same atomic step when, and only when, this call added the
    /// application (R24): concurrent first uses leave one record.
    /// </summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="app">The application to record.</param>
    /// <param name="maxApps">The most applications a token may hold.</param>
    /// <param name="audit">The audit record of the first sight, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored after the call, or <see langword="null"/> when the token does not exist.</returns>
    Task<ApiToken?> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an audit record of an event that changes no token (R24): a role change capping a token,
    /// a use of a previous secret during its grace period.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken);

    /// <summary>Reads audit records newest first: of one token, or of a whole account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="tokenId">One token's records only, or <see langword="null"/> for the account's.</param>
    /// <param name="before">Only records with a lower <see cref="ApiTokenAuditRecord.Sequence"/> (the next page), or <see langword="null"/>.</param>
    /// <param name="limit">The most records to return (1–1,000).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, with where the next one starts.</returns>
    Task<ApiTokenAuditPage> ListAuditAsync(string accountId, string? tokenId, long? before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records when tokens and their applications were last used (R22), without changing their
    /// versions: for each use, the application's <see cref="TokenApp.LastUsedAt"/> and the token's
    /// <see cref="ApiToken.LastUsedAt"/> become the later of the stored time and the use's. Uses of
    /// tokens or applications that do not exist are ignored. Called off the request path with a
    /// batch collected over <see cref="ApiTokenOptions.LastUsedGranularity"/>; a database store should
    /// write a batch in one round trip.
    /// </summary>
    /// <param name="uses">The uses, at most one per token and application.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken);
}

// The default implementations of IApiTokenStore's newer members, in terms of the older ones.
internal static class ApiTokenStoreDefaults
{
    public static async Task<IReadOnlyList<ApiToken>> FindOneByOneAsync(IApiTokenStore store, IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretHashes);
        var found = new List<ApiToken>(secretHashes.Count);
        foreach (var hash in secretHashes)
        {
            // A token found by its current and its previous secret is returned once.
            if (await store.FindActiveBySecretHashAsync(hash, cancellationToken).ConfigureAwait(false) is { } token
                && !found.Exists(t => t.Id == token.Id))
            {
                found.Add(token);
            }
        }

        return found;
    }
}
