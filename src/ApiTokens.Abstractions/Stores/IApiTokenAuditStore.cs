using ApiTokens.Auditing;

namespace ApiTokens.Stores;

/// <summary>
/// A store capability: reads the audit trail back (R24). Every store writes audit records with the
/// changes they record (<see cref="IApiTokenStore"/>); one without this capability keeps them where
/// it reads nothing back (a log shipper, say), and the management API's event lists answer 501.
/// </summary>
public interface IApiTokenAuditStore : IApiTokenStore
{
    /// <summary>Reads audit records newest first: of one token, or of a whole account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="tokenId">One token's records only, or <see langword="null"/> for the account's.</param>
    /// <param name="before">Only records with a lower <see cref="ApiTokenAuditRecord.Sequence"/> (the next page), or <see langword="null"/>.</param>
    /// <param name="limit">The most records to return (1–1,000).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, with where the next one starts.</returns>
    Task<ApiTokenAuditPage> ListAuditAsync(string accountId, string? tokenId, long? before, int limit, CancellationToken cancellationToken);
}
