using ApiTokens.Auditing;

namespace ApiTokens.Stores.InMemory;

// R24: the trail read back, newest first (records are appended under the write lock, with their change).
public sealed partial class InMemoryApiTokenStore : IApiTokenAuditStore
{
    /// <inheritdoc />
    public Task<ApiTokenAuditPage> ListAuditAsync(string accountId, string? tokenId, long? before, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var page = new List<ApiTokenAuditRecord>(Math.Min(limit, 100));
        lock (_writeLock)
        {
            // Sequence n is at index n - 1: start just below 'before' and walk back.
            var start = Math.Min(_audit.Count, (int)Math.Clamp((before ?? long.MaxValue) - 1, 0, int.MaxValue)) - 1;
            for (var i = start; i >= 0 && page.Count <= limit; i--)
            {
                var record = _audit[i];
                if (record.AccountId == accountId && (tokenId is null || record.TokenId == tokenId))
                {
                    page.Add(record);
                }
            }
        }

        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return Task.FromResult(new ApiTokenAuditPage(page, more ? page[^1].Sequence : null));
    }
}
