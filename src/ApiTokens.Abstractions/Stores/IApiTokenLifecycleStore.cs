namespace ApiTokens.Stores;

/// <summary>
/// A store capability: finds the live tokens the lifecycle sweep (R38) has something to say about,
/// with a set-based query, never by reading every token. Without it, the sweep does not run (expiry
/// itself, R21, still holds on every request).
/// </summary>
public interface IApiTokenLifecycleStore : IApiTokenStore
{
    /// <summary>
    /// Live (not retired) tokens, ordered by <see cref="ApiToken.Id"/> after <paramref name="afterId"/>,
    /// that are any of: expiring by <see cref="ApiTokenLifecycleQuery.ExpiringBy"/> and not yet warned
    /// that they expired (<see cref="ApiToken.ExpiryWarnedFor"/> is not their <see cref="ApiToken.ExpiresAt"/>, or
    /// <see cref="ApiToken.ExpiryWarnedThreshold"/> is not zero); idle since
    /// <see cref="ApiTokenLifecycleQuery.IdleSince"/> or earlier (their <see cref="ApiToken.LastUsedAt"/>, or
    /// <see cref="ApiToken.CreatedAt"/> when never used), not expired at <see cref="ApiTokenLifecycleQuery.Now"/>, and not
    /// yet warned for that period (<see cref="ApiToken.UnusedWarnedSince"/>), or idle since
    /// <see cref="ApiTokenLifecycleQuery.RetireIdleSince"/> or earlier. <see cref="ApiTokenLifecycleQuery.Matches"/> is the rule.
    /// </summary>
    /// <remarks>
    /// A database store filters in SQL on indexed columns (<c>expires_at</c>, <c>last_used_at</c>) and
    /// pages by id; the sweep decides what to raise from the tokens it gets and writes what it raised
    /// with a versioned update (so two nodes sweeping together raise each event once).
    /// </remarks>
    /// <param name="query">The times that make a token a candidate.</param>
    /// <param name="afterId">The last id of the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="limit">The most tokens to return: 1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page; fewer than <paramref name="limit"/> tokens when it is the last.</returns>
    Task<IReadOnlyList<ApiToken>> FindLifecycleCandidatesAsync(ApiTokenLifecycleQuery query, string? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The live tokens used most recently, newest use first: not retired, not expired at
    /// <paramref name="now"/>, used at least once. A restarting node reads their lookups ahead of its
    /// first requests (<see cref="ApiTokenOptions.WarmUpTokens"/>).
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="limit">The most tokens to return: 1 to 1,000,000.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tokens, newest use first.</returns>
    Task<IReadOnlyList<ApiToken>> FindRecentlyUsedAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}

/// <summary>The times that make a token a candidate of the lifecycle sweep (R38).</summary>
/// <param name="Now">The sweep's time: tokens expired by then are no longer idle candidates (they are not live).</param>
/// <param name="ExpiringBy">Tokens expiring at or before this (now plus the largest expiry warning).</param>
/// <param name="IdleSince">Tokens idle since this or earlier (now minus <see cref="ApiTokenOptions.UnusedWarningAfter"/>).</param>
/// <param name="RetireIdleSince">Tokens idle since this or earlier are retired (now minus <see cref="ApiTokenOptions.RetireUnusedAfter"/>); <see langword="null"/> for none.</param>
public sealed record ApiTokenLifecycleQuery(DateTimeOffset Now, DateTimeOffset ExpiringBy, DateTimeOffset IdleSince, DateTimeOffset? RetireIdleSince)
{
    /// <summary>Whether <paramref name="token"/> is a candidate: what a store's query must select, for stores that filter in memory.</summary>
    /// <param name="token">A token.</param>
    /// <returns><see langword="true"/> when the sweep should look at it.</returns>
    public bool Matches(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.IsRetired)
        {
            return false;
        }

        if (token.ExpiresAt is { } expires && expires <= ExpiringBy && !(token.ExpiryWarnedFor == expires && token.ExpiryWarnedThreshold == TimeSpan.Zero))
        {
            return true;
        }

        if (token.ExpiresAt is { } expiry && expiry <= Now)
        {
            return false;
        }

        var idleStart = token.LastUsedAt ?? token.CreatedAt;
        return (idleStart <= IdleSince && token.UnusedWarnedSince != idleStart) || (RetireIdleSince is { } retire && idleStart <= retire);
    }
}
