namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>POST /{id}/rotate</c> (R23); may be omitted.</summary>
public sealed class RotateApiTokenBody
{
    /// <summary>How long the previous secret keeps working, in seconds; the configured default when omitted.</summary>
    public long? GracePeriodSeconds { get; set; }

    /// <summary>A new expiry for the token (RFC 3339); the current one is kept when omitted.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
