namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>POST /self/rotate</c> (R39); may be omitted.</summary>
public sealed class SelfRotateApiTokenBody
{
    /// <summary>A new expiry (RFC 3339). Without it (or <see cref="LifetimeDays"/>) a token that expires keeps its lifetime's length from now.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>A new lifetime in whole days from now (1 to 36,500); not with <see cref="ExpiresAt"/>.</summary>
    public int? LifetimeDays { get; set; }
}
