using ApiTokens.Auditing;
using ApiTokens.Stores;

namespace ApiTokens.AspNetCore.Tests;

// A store with the core contract and no capability: what a third party's first store may be.
internal sealed class CoreOnlyStore(IApiTokenStore inner) : IApiTokenStore
{
    public Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.TryCreateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.UpdateAsync(token, audit, cancellationToken);

    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.TryUpdateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken) => inner.FindByIdAsync(tokenId, cancellationToken);

    public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken) => inner.FindBySecretHashAsync(secretHash, includeRetired, cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken) => inner.ListAsync(accountId, ownerId, after, limit, cancellationToken);

    public Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.RecordAppAsync(tokenId, app, maxApps, audit, cancellationToken);

    public Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken) => inner.AppendAuditAsync(record, cancellationToken);

    public Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken) => inner.RecordUsesAsync(uses, cancellationToken);
}
