using ApiTokens.Auditing;
using ApiTokens.Validation;

namespace ApiTokens.Stores;

/// <summary>
/// Persists API tokens: the core every store implements. A store decides nothing: every rule lives in
/// <see cref="ApiTokenManager"/> and <see cref="ApiTokenValidator"/>. Implementations must be thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Optional features are capabilities a store adds by implementing more interfaces, as ASP.NET Core
/// Identity's stores do: <see cref="IApiTokenBatchLookupStore"/> (refresh-ahead and leak reports in one
/// round trip), <see cref="IApiTokenAuditStore"/> (reading the audit trail back),
/// <see cref="IApiTokenUsageStore"/> (usage per app, R35) and <see cref="IApiTokenOutboxStore"/> (durable
/// work off the request path). <c>AddStore&lt;TStore&gt;()</c> registers each capability the store
/// implements; a feature whose capability is missing says so (docs/architecture.md).
/// </para>
/// <para>
/// Failures of the underlying storage surface as <see cref="ApiTokenStoreException"/>; a write that
/// loses an optimistic-concurrency race surfaces as <see cref="ApiTokenConcurrencyException"/>.
/// The shared specification tests (<c>ApiTokenStoreSpecification</c> in the
/// <c>ApiTokens.Stores.Specification</c> package) describe the contract exactly; a store passes
/// them or is broken.
/// </para>
/// <para>
/// Every write that is a change of a token (create, update, promotion, a recorded app) takes its
/// audit record in the same atomic step (R24). Counts that bound growth (R28) are taken in the same
/// atomic step as the write they guard, so concurrent writers — in this process or any other —
/// never exceed them.
/// </para>
/// </remarks>
public interface IApiTokenStore
{
    /// <summary>
    /// Adds a new token unless its holder already has <paramref name="maxActive"/> active tokens of
    /// its type (R28): for a user token, the active user tokens of the same owner in the account; for
    /// an account token, the active account tokens of the account. Active means not retired. The
    /// count, the insert and <paramref name="audit"/> are one atomic step.
    /// </summary>
    /// <param name="token">The token to add; its id and secret hash must be unique. Its <see cref="ApiToken.Version"/> is ignored: the stored token starts at version 1.</param>
    /// <param name="maxActive">The most active tokens the holder may have, this one included.</param>
    /// <param name="audit">The audit record of the creation, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, or <see langword="null"/> (nothing added, no record) when the holder is at the limit.</returns>
    /// <exception cref="ApiTokenDuplicateSecretException">
    /// The token's <see cref="ApiToken.SecretHash"/> is already the current or previous secret hash of
    /// any token, retired ones included; nothing is added. Checked in the same atomic step as the
    /// insert, so of concurrent creations with one hash (in any process) exactly one succeeds.
    /// </exception>
    Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a whole token if its stored version still equals <paramref name="token"/>'s
    /// <see cref="ApiToken.Version"/>, increments the version and writes <paramref name="audit"/> in
    /// the same transaction (R24). Otherwise throws <see cref="ApiTokenConcurrencyException"/> and
    /// changes nothing.
    /// </summary>
    /// <remarks>
    /// The id and account never change. The secret hashes do when a token is rotated (R23): after
    /// the update, <see cref="FindBySecretHashAsync"/> finds the token by its new
    /// <see cref="ApiToken.SecretHash"/> and its <see cref="ApiToken.PreviousSecretHash"/>, and no
    /// longer by a hash it dropped. Last-use times (<see cref="ApiToken.LastUsedAt"/>,
    /// <see cref="TokenApp.LastUsedAt"/>) are kept as stored, whatever the token passed holds: only
    /// <see cref="RecordUsesAsync"/> writes them.
    /// </remarks>
    /// <param name="token">The changed token, carrying the version it was read at.</param>
    /// <param name="audit">The audit record of the change, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, with its new version.</returns>
    Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="UpdateAsync"/>, unless the holder the changed token counts against (by its type and
    /// owner, as for <see cref="TryCreateAsync"/>) already has <paramref name="maxActive"/> active
    /// tokens other than this one: then nothing changes and nothing is recorded. The count and the
    /// write are one atomic step, also against concurrent <see cref="TryCreateAsync"/> calls for the
    /// same holder. A promotion (R14) is such an update: the token joins the account's tokens (R28).
    /// </summary>
    /// <param name="token">The changed token, carrying the version it was read at.</param>
    /// <param name="maxActive">The most active tokens the holder may have, this one included.</param>
    /// <param name="audit">The audit record of the change, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token as stored, or <see langword="null"/> when the holder is at the limit.</returns>
    /// <exception cref="ApiTokenConcurrencyException">The stored version differs from <paramref name="token"/>'s.</exception>
    Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>Finds a token by its id.</summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the token whose <see cref="ApiToken.SecretHash"/> or <see cref="ApiToken.PreviousSecretHash"/>
    /// is this hash: an indexed lookup, the store call of every cache miss (retired tokens excluded) and
    /// of a leak report (<paramref name="includeRetired"/>). Expiry and the end of a grace period are
    /// judged by the caller.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="includeRetired"/>, finding nothing should cost the same for a retired
    /// secret as for one that never existed (filter in the query, do not load the token and its apps
    /// to discard them): a refusal must not tell, by its timing, that a secret was once real.
    /// </remarks>
    /// <param name="secretHash">The SHA-256 hash of the secret.</param>
    /// <param name="includeRetired">Whether a retired token is found too.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the tokens of an account, retired ones included, newest first: by
    /// <see cref="ApiToken.CreatedAt"/> descending, then by <see cref="ApiToken.Id"/> descending
    /// (ordinal). Keyset paging: the store reads only the page, however many tokens the account has.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="ownerId">When not <see langword="null"/>, only user tokens owned by this member.</param>
    /// <param name="after">
    /// <see langword="null"/> for the first page; otherwise the position of the last token of the
    /// previous page: only tokens after it in list order are returned. Tokens created meanwhile are
    /// newer, so they never push a token onto two pages.
    /// </param>
    /// <param name="limit">The most tokens to return, at least 1 (the manager asks for one more than a page, to know whether another follows).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>At most <paramref name="limit"/> tokens in list order.</returns>
    Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records an application under a token exactly once, atomically: if an application of that
    /// name is already recorded, nothing changes; if the token already holds
    /// <paramref name="maxApps"/> applications, nothing changes; otherwise the application is added,
    /// the version incremented and <paramref name="audit"/> written in the same step (R24).
    /// Concurrent calls with the same name — in this process or any other — record it once, and
    /// exactly one of them says so.
    /// </summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="app">The application to record.</param>
    /// <param name="maxApps">The most applications a token may hold.</param>
    /// <param name="audit">The audit record of the first sight, written only when this call records the app, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// The token as stored after the call (holding the application unless the limit was reached;
    /// <see langword="null"/> when the token does not exist), and whether this call recorded it.
    /// </returns>
    Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an audit record of an event that changes no token (R24): a role change capping a token,
    /// a use of a previous secret during its grace period.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken);

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
