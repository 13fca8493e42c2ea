namespace ApiTokens.Management;

/// <summary>How to rotate a token's secret (R23).</summary>
public sealed class RotateApiTokenRequest
{
    /// <summary>
    /// How long the previous secret keeps working: from zero (it stops at once) to
    /// <see cref="ApiTokenOptions.MaxRotationGracePeriod"/>; <see cref="ApiTokenOptions.RotationGracePeriod"/>
    /// when not given.
    /// </summary>
    public TimeSpan? GracePeriod { get; set; }

    /// <summary>A new expiry for the token (R21), in the future and within <see cref="ApiTokenOptions.MaxLifetime"/>; the current one is kept when not given.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
