
namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>The database row of a token (table <c>api_tokens</c>). Map it with <c>modelBuilder.UseApiTokens()</c>.</summary>
public sealed class ApiTokenEntity
{
    /// <summary>The token id (primary key).</summary>
    public string Id { get; set; } = null!;

    /// <summary>The token type.</summary>
    public TokenType Type { get; set; }

    /// <summary>The account.</summary>
    public string AccountId { get; set; } = null!;

    /// <summary>The owner of a user token.</summary>
    public string? OwnerId { get; set; }

    /// <summary>The creator.</summary>
    public string CreatedBy { get; set; } = null!;

    /// <summary>When the token was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The description.</summary>
    public string? Description { get; set; }

    /// <summary>The privilege.</summary>
    public TokenPrivilege Privilege { get; set; }

    /// <summary>The default app state.</summary>
    public AppState DefaultAppState { get; set; }

    /// <summary>When the token was retired.</summary>
    public DateTimeOffset? RetiredAt { get; set; }

    /// <summary>Who retired the token.</summary>
    public string? RetiredBy { get; set; }

    /// <summary>When the token was promoted.</summary>
    public DateTimeOffset? PromotedAt { get; set; }

    /// <summary>Who promoted the token.</summary>
    public string? PromotedBy { get; set; }

    /// <summary>The owner before promotion.</summary>
    public string? FormerOwnerId { get; set; }

    /// <summary>The SHA-256 hash of the secret (unique).</summary>
    public byte[] SecretHash { get; set; } = null!;

    /// <summary>The secret hint.</summary>
    public string SecretHint { get; set; } = null!;

    /// <summary>When the token expires (R21).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When the token was last used (R22).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>When the secret was last rotated (R23).</summary>
    public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>The SHA-256 hash of the previous secret during its grace period (R23).</summary>
    public byte[]? PreviousSecretHash { get; set; }

    /// <summary>When the previous secret stops working (R23).</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>The allowed networks (R33), normalized CIDR ranges separated by spaces; <see langword="null"/> for any address.</summary>
    public string? AllowedNetworks { get; set; }

    /// <summary>The scopes (R42), space-separated; <see langword="null"/> when the token is not scoped.</summary>
    public string? Scopes { get; set; }

    /// <summary>The rate limit's requests per window (R34); <see langword="null"/> without a limit of its own.</summary>
    public int? RateLimit { get; set; }

    /// <summary>The rate limit's window in seconds (R34).</summary>
    public int? RateLimitWindowSeconds { get; set; }

    /// <summary>Whether the token may rotate itself (R39).</summary>
    public bool SelfRotate { get; set; }

    /// <summary>The expiry the lifecycle sweep warned about (R38).</summary>
    public DateTimeOffset? ExpiryWarnedFor { get; set; }

    /// <summary>The nearest expiry warning raised for <see cref="ExpiryWarnedFor"/>, in ticks; 0 once the expiry itself was (R38).</summary>
    public long? ExpiryWarnedThreshold { get; set; }

    /// <summary>The start of the idle period <c>token.unused</c> was raised for (R38).</summary>
    public DateTimeOffset? UnusedWarnedSince { get; set; }

    /// <summary>The optimistic-concurrency version.</summary>
    public long Version { get; set; }

    /// <summary>The recorded apps.</summary>
    public List<ApiTokenAppEntity> Apps { get; set; } = [];
}
