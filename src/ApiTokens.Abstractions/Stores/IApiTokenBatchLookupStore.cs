namespace ApiTokens.Stores;

/// <summary>
/// A store capability: finds the tokens of many secret hashes in one call. Without it, refresh-ahead
/// reloads and leak reports ask <see cref="IApiTokenStore.FindBySecretHashAsync"/> once per hash.
/// </summary>
public interface IApiTokenBatchLookupStore : IApiTokenStore
{
    /// <summary>
    /// Finds the tokens of many secret hashes in one call: each hash as
    /// <see cref="IApiTokenStore.FindBySecretHashAsync"/> finds it (a token's <see cref="ApiToken.SecretHash"/>
    /// or <see cref="ApiToken.PreviousSecretHash"/>). The validation cache reloads the entries that
    /// fall due together with one such call (refresh-ahead, retired tokens excluded); a leak report
    /// (R31, R32) learns which secrets are or were secrets here (retired tokens included).
    /// </summary>
    /// <remarks>
    /// A database store should read the whole batch in one round trip
    /// (<c>WHERE secret_hash = ANY(@hashes) OR previous_secret_hash = ANY(@hashes)</c>). The caller
    /// matches each token to its hash; the order of the result does not matter.
    /// </remarks>
    /// <param name="secretHashes">SHA-256 hashes of secrets; at most 1,000.</param>
    /// <param name="includeRetired">Whether retired tokens are found too.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Every token one of the hashes belongs to, each once; a hash that finds nothing adds nothing.</returns>
    Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken);
}
