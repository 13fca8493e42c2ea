namespace ApiTokens.Auditing;

/// <summary>The actions of the audit trail (R24).</summary>
public static class ApiTokenAuditActions
{
    /// <summary>A token was created.</summary>
    public const string Created = "token.created";

    /// <summary>A request presented the token from outside its allowed networks (R33): the first of each minute, with the address.</summary>
    public const string NetworkRefused = "request.network_refused";

    /// <summary>A request went over the token's rate limit (R34): the first of each minute.</summary>
    public const string RateLimited = "request.rate_limited";

    /// <summary>An existing secret was imported as a token (R36).</summary>
    public const string Imported = "token.imported";

    /// <summary>Privilege, default app state or description changed.</summary>
    public const string Updated = "token.updated";

    /// <summary>An application was allowed or denied (or decided before it was seen).</summary>
    public const string AppDecided = "app.decided";

    /// <summary>A new application used the token and was recorded with the token's default state.</summary>
    public const string AppFirstSeen = "app.first_seen";

    /// <summary>The token was retired by a manager.</summary>
    public const string Retired = "token.retired";

    /// <summary>The token was retired because its owner was removed from the account (R15).</summary>
    public const string RetiredByMemberRemoval = "token.retired_by_member_removal";

    /// <summary>A user token became an account token (R14).</summary>
    public const string Promoted = "token.promoted";

    /// <summary>The token got a new secret (R23).</summary>
    public const string Rotated = "token.rotated";

    /// <summary>The owner's new role caps the token's effective privilege below its privilege (R15).</summary>
    public const string CappedByRoleChange = "token.capped_by_role_change";

    /// <summary>The previous secret of a rotated token was used during its grace period (R23).</summary>
    public const string PreviousSecretUsed = "token.previous_secret_used";

    /// <summary>A webhook endpoint was registered (R37); the record's token id is the endpoint's id.</summary>
    public const string WebhookCreated = "webhook.created";

    /// <summary>A webhook endpoint's URL, events, description or state changed (R37).</summary>
    public const string WebhookUpdated = "webhook.updated";

    /// <summary>A webhook endpoint was removed (R37).</summary>
    public const string WebhookDeleted = "webhook.deleted";

    /// <summary>A webhook endpoint got a new signing secret (R37).</summary>
    public const string WebhookSecretRotated = "webhook.secret_rotated";

    /// <summary>A webhook endpoint was disabled because all its deliveries failed for <c>DisableAfter</c> (R37).</summary>
    public const string WebhookDisabled = "webhook.disabled";

    /// <summary>The sweep warned that the token expires soon (R38): <c>daysLeft</c>, <c>expiresAt</c>.</summary>
    public const string Expiring = "token.expiring";

    /// <summary>The sweep saw the token expire (R38): <c>expiresAt</c>.</summary>
    public const string Expired = "token.expired";

    /// <summary>The sweep warned that the token has not been used for a while (R38): <c>lastUsedAt</c>, <c>idleDays</c>.</summary>
    public const string Unused = "token.unused";

    /// <summary>A self-rotating token's new secret was used first: its previous secret ended (R39).</summary>
    public const string PreviousSecretEnded = "token.previous_secret_ended";

    /// <summary>A self-rotating token's previous secret was presented after it ended (R39).</summary>
    public const string PreviousSecretReused = "token.previous_secret_reused";
}
