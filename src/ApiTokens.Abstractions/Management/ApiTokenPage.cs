namespace ApiTokens.Management;

/// <summary>One page of a list (R28): the items, and the cursor of the next page if there is one.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page, in list order.</param>
/// <param name="NextCursor">An opaque cursor for the next page, or <see langword="null"/> on the last page.</param>
public sealed record ApiTokenPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>The page sizes of lists (R28).</summary>
public static class ApiTokenPaging
{
    /// <summary>The page size when the caller names none: 100.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The largest page size: 1,000.</summary>
    public const int MaxLimit = 1_000;
}
