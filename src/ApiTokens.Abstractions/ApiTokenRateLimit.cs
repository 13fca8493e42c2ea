namespace ApiTokens;

/// <summary>
/// A token's rate limit (R34): at most <see cref="Limit"/> requests per <see cref="WindowSeconds"/>
/// seconds, counted per token across its apps. The window starts at the first request after the
/// previous one ended (a fixed window per token, so a burst at a window's edge cannot double it).
/// </summary>
public sealed record ApiTokenRateLimit
{
    /// <summary>The longest window: one hour.</summary>
    public const int MaxWindowSeconds = 3_600;

    /// <summary>The largest limit one window may hold.</summary>
    public const int MaxLimit = 10_000_000;

    /// <summary>Creates an empty limit (for configuration binding); set both properties.</summary>
    public ApiTokenRateLimit()
    {
    }

    /// <summary>Creates a limit.</summary>
    /// <param name="limit">Requests per window, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="windowSeconds">The window in seconds, 1 to <see cref="MaxWindowSeconds"/>.</param>
    public ApiTokenRateLimit(int limit, int windowSeconds)
    {
        Limit = limit;
        WindowSeconds = windowSeconds;
    }

    /// <summary>Requests per window, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; }

    /// <summary>The window in seconds, 1 to <see cref="MaxWindowSeconds"/>.</summary>
    public int WindowSeconds { get; init; }

    /// <summary>Whether both values are in range.</summary>
    public bool IsValid => Limit is >= 1 and <= MaxLimit && WindowSeconds is >= 1 and <= MaxWindowSeconds;

    /// <inheritdoc />
    public override string ToString() => $"{Limit}/{WindowSeconds}s";
}
