namespace ApiTokens.Management;

/// <summary>
/// An existing secret to bring in as a token (R36): give <see cref="Secret"/> or
/// <see cref="SecretSha256"/>, not both. Every other rule applies to the token as to a created one.
/// </summary>
public sealed class ImportApiTokenRequest
{
    /// <summary>
    /// The plain secret: this service's format (checked with its checksum) or another shape of 16 to
    /// 256 printable ASCII characters without spaces, such as a Circonus UUID. Only its hash is kept.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>The SHA-256 of the secret's UTF-8 bytes, as 64 lower-case hexadecimal digits.</summary>
    public string? SecretSha256 { get; set; }

    /// <summary>User or account token.</summary>
    public TokenType Type { get; set; }

    /// <summary>The owner of a user token: a member of the account; the importing admin when not given. Not allowed for account tokens.</summary>
    public string? OwnerId { get; set; }

    /// <summary>The privilege; <see cref="TokenPrivilege.ReadOnly"/> when not given (R4).</summary>
    public TokenPrivilege? Privilege { get; set; }

    /// <summary>The default app state; <see cref="ApiTokenOptions.DefaultAppState"/> when not given (R7).</summary>
    public AppState? DefaultAppState { get; set; }

    /// <summary>An optional description of at most 256 characters.</summary>
    public string? Description { get; set; }

    /// <summary>When the token stops working (R21): in the future and within <see cref="ApiTokenOptions.MaxLifetime"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

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
