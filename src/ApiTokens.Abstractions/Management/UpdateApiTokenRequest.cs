
namespace ApiTokens.Management;

/// <summary>A partial change of a token (R6); properties left <see langword="null"/> are not changed.</summary>
public sealed class UpdateApiTokenRequest
{
    /// <summary>The new privilege, never above the actor's role (R4).</summary>
    public TokenPrivilege? Privilege { get; set; }

    /// <summary>The new default app state; apps already recorded keep theirs (R9).</summary>
    public AppState? DefaultAppState { get; set; }

    /// <summary>The new description (at most 256 characters; empty clears it).</summary>
    public string? Description { get; set; }

    /// <summary>
    /// The new allowed networks (R33); <see langword="null"/> leaves them, an empty list clears them
    /// (any address).
    /// </summary>
    public IReadOnlyList<string>? AllowedNetworks { get; set; }

    /// <summary>The new rate limit (R34); <see langword="null"/> leaves it (see <see cref="RemoveRateLimit"/>).</summary>
    public ApiTokenRateLimit? RateLimit { get; set; }

    /// <summary>Removes the token's own rate limit (then <see cref="ApiTokenOptions.DefaultRateLimit"/> applies).</summary>
    public bool RemoveRateLimit { get; set; }

    /// <summary>
    /// The new scopes (R42); <see langword="null"/> leaves them, an empty list clears them (every
    /// endpoint the privilege allows).
    /// </summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>Whether the token may rotate itself (R39); <see langword="null"/> keeps it.</summary>
    public bool? SelfRotate { get; set; }
}
