namespace ApiTokens.Stores.Specification;

// Shorter calls for the specification's arrange steps: the contract's methods with the arguments
// most tests do not vary.
internal static class StoreCalls
{
    public static async Task<ApiToken> CreateAsync(this IApiTokenStore store, ApiToken token, CancellationToken cancellationToken)
        => await store.TryCreateAsync(token, int.MaxValue, audit: null, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("A store refused a token below any limit.");

    public static Task<ApiToken?> TryCreateAsync(this IApiTokenStore store, ApiToken token, int maxActive, CancellationToken cancellationToken)
        => store.TryCreateAsync(token, maxActive, audit: null, cancellationToken);

    public static Task<ApiToken> UpdateAsync(this IApiTokenStore store, ApiToken token, CancellationToken cancellationToken)
        => store.UpdateAsync(token, audit: null, cancellationToken);

    public static async Task<ApiToken?> RecordAppAsync(this IApiTokenStore store, string tokenId, TokenApp app, int maxApps, CancellationToken cancellationToken)
        => (await store.RecordAppAsync(tokenId, app, maxApps, audit: null, cancellationToken).ConfigureAwait(false)).Token;

    // Every token of the account (or owner), page after page of `pageSize`, as the manager reads them.
    public static async Task<List<ApiToken>> ListAllAsync(this IApiTokenStore store, string accountId, string? ownerId, CancellationToken cancellationToken, int pageSize = 1_000)
    {
        var all = new List<ApiToken>();
        ApiTokenListPosition? after = null;
        while (true)
        {
            var page = await store.ListAsync(accountId, ownerId, after, pageSize, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < pageSize)
            {
                return all;
            }

            after = ApiTokenListPosition.Of(page[^1]);
        }
    }
}
