namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>A token's rate limit in the management API (R34): <c>{"limit": N, "windowSeconds": S}</c>.</summary>
public sealed class ApiTokenRateLimitBody
{
    /// <summary>Requests per window, 1 to 10,000,000.</summary>
    public int Limit { get; set; }

    /// <summary>The window in seconds, 1 to 3,600.</summary>
    public int WindowSeconds { get; set; }

    internal ApiTokenRateLimit ToLimit() => new(Limit, WindowSeconds);

    internal static ApiTokenRateLimitBody? From(ApiTokenRateLimit? limit)
        => limit is null ? null : new ApiTokenRateLimitBody { Limit = limit.Limit, WindowSeconds = limit.WindowSeconds };
}
