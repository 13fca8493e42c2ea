// What the snippets name but leave to the reader: a membership source over "your users" and the
// Redis store of the specification README. Compiled with the snippets, never run.
using ApiTokens;
using ApiTokens.Auditing;
using ApiTokens.Membership;
using ApiTokens.Stores;
using ApiTokens.Stores.InMemory;

public sealed class MyMembership : IAccountMembership
{
    public ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken)
        => ValueTask.FromResult<TokenPrivilege?>(userId == "alice" ? TokenPrivilege.Admin : null);
}

public static class Redis
{
    public static object Connection { get; } = new();
}

public sealed class RedisApiTokenStore(object connection) : IApiTokenUsageStore
{
    private readonly InMemoryApiTokenStore _inner = new();

    public object Connection { get; } = connection;

    public Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => _inner.TryCreateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => _inner.UpdateAsync(token, audit, cancellationToken);

    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => _inner.TryUpdateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken) => _inner.FindByIdAsync(tokenId, cancellationToken);

    public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken) => _inner.FindBySecretHashAsync(secretHash, includeRetired, cancellationToken);

    public Task RecordUsageAsync(IReadOnlyList<ApiTokenUsageCount> counts, CancellationToken cancellationToken) => _inner.RecordUsageAsync(counts, cancellationToken);

    public Task<IReadOnlyList<ApiTokenUsageCount>> ListUsageAsync(string tokenId, DateOnly from, CancellationToken cancellationToken) => _inner.ListUsageAsync(tokenId, from, cancellationToken);

    public Task<int> PruneUsageAsync(DateOnly before, CancellationToken cancellationToken) => _inner.PruneUsageAsync(before, cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken) => _inner.ListAsync(accountId, ownerId, after, limit, cancellationToken);

    public Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => _inner.RecordAppAsync(tokenId, app, maxApps, audit, cancellationToken);

    public Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken) => _inner.AppendAuditAsync(record, cancellationToken);

    public Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken) => _inner.RecordUsesAsync(uses, cancellationToken);
}
