namespace ApiTokens.Stores;

/// <summary>
/// Where a page of <see cref="IApiTokenStore.ListAsync"/> ends: the creation time and id of its last
/// token. List order is newest first — <see cref="ApiToken.CreatedAt"/> descending, then
/// <see cref="ApiToken.Id"/> descending (ordinal) — and the next page starts after this position.
/// </summary>
/// <param name="CreatedAt">The <see cref="ApiToken.CreatedAt"/> of the last token of the page.</param>
/// <param name="Id">The <see cref="ApiToken.Id"/> of the last token of the page.</param>
public readonly record struct ApiTokenListPosition(DateTimeOffset CreatedAt, string Id)
{
    /// <summary>The position of a token.</summary>
    /// <param name="token">The token.</param>
    /// <returns>Its position in list order.</returns>
    public static ApiTokenListPosition Of(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(token.CreatedAt, token.Id);
    }

    /// <summary>Whether <paramref name="token"/> comes after this position in list order (newest first).</summary>
    /// <param name="token">The token.</param>
    /// <returns><see langword="true"/> when the token belongs on a later page.</returns>
    public bool Precedes(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var byTime = token.CreatedAt.UtcTicks.CompareTo(CreatedAt.UtcTicks);
        return byTime != 0 ? byTime < 0 : string.CompareOrdinal(token.Id, Id) < 0;
    }

    /// <summary>Compares two tokens in list order: newest first, then by id descending (ordinal).</summary>
    /// <param name="x">A token.</param>
    /// <param name="y">Another token.</param>
    /// <returns>Less than zero when <paramref name="x"/> comes first.</returns>
    public static int Compare(ApiToken x, ApiToken y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var byTime = y.CreatedAt.UtcTicks.CompareTo(x.CreatedAt.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(y.Id, x.Id);
    }
}
