namespace ApiTokens.Stores.InMemory;

public sealed partial class InMemoryApiTokenStore : IApiTokenLifecycleStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ApiToken>> FindLifecycleCandidatesAsync(ApiTokenLifecycleQuery query, string? afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1_000);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<ApiToken>();
        foreach (var token in _byId.Values)
        {
            if ((afterId is null || string.CompareOrdinal(token.Id, afterId) > 0) && query.Matches(token))
            {
                result.Add(token);
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        if (result.Count > limit)
        {
            result.RemoveRange(limit, result.Count - limit);
        }

        return Task.FromResult<IReadOnlyList<ApiToken>>(result);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiToken>> FindRecentlyUsedAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<ApiToken> result = [.. _byId.Values
            .Where(t => !t.IsRetired && t.LastUsedAt is not null && !t.IsExpiredAt(now))
            .OrderByDescending(static t => t.LastUsedAt)
            .Take(limit)];
        return Task.FromResult(result);
    }
}
