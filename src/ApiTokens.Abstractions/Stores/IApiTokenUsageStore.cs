namespace ApiTokens.Stores;

/// <summary>
/// A store capability: request counts per (token, app, UTC day) by outcome (R35). Without it nothing
/// is counted and the usage endpoint answers 501.
/// </summary>
public interface IApiTokenUsageStore : IApiTokenStore
{
    /// <summary>
    /// Adds request counts per (token, app, UTC day) to those stored (R35): a count for a key the
    /// store holds already is added to it, so the counts of many nodes sum up. One batch, one atomic
    /// step; a database store should write it with one set-based statement, never one per count.
    /// </summary>
    /// <param name="counts">The counts; each key at most once per call. Counts of a token that no longer exists are dropped.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the counts are written.</returns>
    Task RecordUsageAsync(IReadOnlyList<ApiTokenUsageCount> counts, CancellationToken cancellationToken);

    /// <summary>The counts of one token from a UTC day on (R35), in any order.</summary>
    /// <param name="tokenId">The token.</param>
    /// <param name="from">The first day to include.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The counts, one per (app, day).</returns>
    Task<IReadOnlyList<ApiTokenUsageCount>> ListUsageAsync(string tokenId, DateOnly from, CancellationToken cancellationToken);

    /// <summary>Removes the counts of days before <paramref name="before"/> (R35 retention).</summary>
    /// <param name="before">The first day to keep.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many (token, app, day) rows were removed.</returns>
    Task<int> PruneUsageAsync(DateOnly before, CancellationToken cancellationToken);
}
