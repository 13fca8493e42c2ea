namespace ApiTokens.Webhooks;

/// <summary>The types of webhook events (R37): what an endpoint's <c>events</c> filter names.</summary>
public static class ApiTokenEventTypes
{
    /// <summary>A token was created or imported.</summary>
    public const string Created = "token.created";

    /// <summary>A token's privilege, default app state, description, networks or rate limit changed, or a role change capped it.</summary>
    public const string Updated = "token.updated";

    /// <summary>An app was first seen under a token and waits for approval (the token's default state is pending).</summary>
    public const string AppWaiting = "token.app_waiting";

    /// <summary>An app was allowed or denied: by a manager, or at its first sight by the token's default state.</summary>
    public const string AppDecided = "token.app_decided";

    /// <summary>A token was retired; <c>data.reason</c> says why (<c>owner</c>, <c>admin</c>, <c>member_removed</c>, <c>leak_report</c>, <c>revocation_request</c>, <c>unused</c>).</summary>
    public const string Retired = "token.retired";

    /// <summary>A user token became an account token.</summary>
    public const string Promoted = "token.promoted";

    /// <summary>A token got a new secret.</summary>
    public const string Rotated = "token.rotated";

    /// <summary>A token expires soon (R38).</summary>
    public const string Expiring = "token.expiring";

    /// <summary>A token expired (R38).</summary>
    public const string Expired = "token.expired";

    /// <summary>A token has not been used for a while (R38).</summary>
    public const string Unused = "token.unused";

    /// <summary>A self-rotated token's previous secret was used after it ended (R39).</summary>
    public const string PreviousSecretReused = "token.previous_secret_reused";

    /// <summary>A test sent from the management API.</summary>
    public const string Test = "webhook.test";

    /// <summary>Every type, in the order above.</summary>
    public static IReadOnlyList<string> All { get; } = [Created, Updated, AppWaiting, AppDecided, Retired, Promoted, Rotated, Expiring, Expired, Unused, PreviousSecretReused, Test];
}
