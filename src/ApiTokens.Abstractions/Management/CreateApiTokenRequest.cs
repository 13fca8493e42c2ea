
namespace ApiTokens.Management;

/// <summary>What to create (R2–R4, R7).</summary>
public sealed class CreateApiTokenRequest
{
    /// <summary>User or account token.</summary>
    public TokenType Type { get; set; }

    /// <summary>The privilege; <see cref="TokenPrivilege.ReadOnly"/> when not given (R4).</summary>
    public TokenPrivilege? Privilege { get; set; }

    /// <summary>The default app state; <see cref="ApiTokenOptions.DefaultAppState"/> when not given (R7).</summary>
    public AppState? DefaultAppState { get; set; }

    /// <summary>An optional description of at most 256 characters.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// When the token stops working (R21); must be in the future and within
    /// <see cref="ApiTokenOptions.MaxLifetime"/>. Give this or <see cref="LifetimeDays"/>, not both;
    /// with neither, the token gets <see cref="ApiTokenOptions.DefaultLifetime"/> (or
    /// <see cref="ApiTokenOptions.MaxLifetime"/>, or no expiry).
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The token's lifetime in days from now (R21), as an alternative to <see cref="ExpiresAt"/>.</summary>
    public int? LifetimeDays { get; set; }

    /// <summary>
    /// The networks requests with the token may come from (R33): up to 32 CIDR ranges or bare
    /// addresses; <see langword="null"/> or empty for any address.
    /// </summary>
    public IReadOnlyList<string>? AllowedNetworks { get; set; }

    /// <summary>The token's rate limit (R34); <see langword="null"/> for <see cref="ApiTokenOptions.DefaultRateLimit"/>.</summary>
    public ApiTokenRateLimit? RateLimit { get; set; }

    /// <summary>
    /// The scopes the token is narrowed to (R42): declared names (<see cref="ApiTokenOptions.Scopes"/>)
    /// or <c>resource:*</c>, at most 64; <see langword="null"/> or empty for every endpoint its privilege allows.
    /// </summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>Whether the token may rotate itself (R39, <c>POST /api/tokens/self/rotate</c>). Default <see langword="false"/>.</summary>
    public bool SelfRotate { get; set; }
}
