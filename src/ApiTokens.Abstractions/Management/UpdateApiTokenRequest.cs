
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
}
