namespace ApiTokens.Stores.InMemory;

// R35: counts per (token, app, day), under the write lock.
public sealed partial class InMemoryApiTokenStore : IApiTokenUsageStore
{
    private readonly Dictionary<(string TokenId, string AppName, DateOnly Day), ApiTokenUsageCount> _usage = [];

    /// <inheritdoc />
    public Task RecordUsageAsync(IReadOnlyList<ApiTokenUsageCount> counts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counts);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            foreach (var count in counts)
            {
                if (!_byId.ContainsKey(count.TokenId))
                {
                    continue;
                }

                var key = (count.TokenId, count.AppName, count.Day);
                _usage[key] = _usage.TryGetValue(key, out var known)
                    ? known with { Allowed = known.Allowed + count.Allowed, Pending = known.Pending + count.Pending, Denied = known.Denied + count.Denied, Limited = known.Limited + count.Limited }
                    : count;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiTokenUsageCount>> ListUsageAsync(string tokenId, DateOnly from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            return Task.FromResult<IReadOnlyList<ApiTokenUsageCount>>([.. _usage.Values.Where(u => u.TokenId == tokenId && u.Day >= from)]);
        }
    }

    /// <inheritdoc />
    public Task<int> PruneUsageAsync(DateOnly before, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            var old = _usage.Keys.Where(k => k.Day < before).ToList();
            foreach (var key in old)
            {
                _usage.Remove(key);
            }

            return Task.FromResult(old.Count);
        }
    }
}
