using System.Text;

namespace ApiTokens;

/// <summary>
/// One API token as it is stored. Instances are immutable snapshots: a change is a new instance
/// (use <c>with</c>) written back with <see cref="Stores.IApiTokenStore.UpdateAsync"/>.
/// </summary>
/// <remarks>
/// The token never holds its secret, only <see cref="SecretHash"/>. <see cref="ToString"/> shows
/// neither, so a token can be logged safely.
/// </remarks>
public sealed record ApiToken
{
    /// <summary>The public, opaque identifier.</summary>
    public required string Id { get; init; }

    /// <summary>User or account token.</summary>
    public required TokenType Type { get; init; }

    /// <summary>The account the token belongs to.</summary>
    public required string AccountId { get; init; }

    /// <summary>The member who owns a user token; <see langword="null"/> for account tokens.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The member who created the token.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the token was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>A free-form description (at most 256 characters).</summary>
    public string? Description { get; init; }

    /// <summary>The privilege the token was given (never above its creator's role, R4).</summary>
    public TokenPrivilege Privilege { get; init; }

    /// <summary>The state a newly seen application is recorded with (R7, R8).</summary>
    public AppState DefaultAppState { get; init; }

    /// <summary>The applications recorded under the token, in the order they were first seen.</summary>
    public IReadOnlyList<TokenApp> Apps { get; init; } = [];

    /// <summary>When the token was retired; <see langword="null"/> while it is active.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>Who retired the token.</summary>
    public string? RetiredBy { get; init; }

    /// <summary>When a user token was promoted to an account token.</summary>
    public DateTimeOffset? PromotedAt { get; init; }

    /// <summary>Who promoted the token.</summary>
    public string? PromotedBy { get; init; }

    /// <summary>The owner of the token before it was promoted.</summary>
    public string? FormerOwnerId { get; init; }

    /// <summary>
    /// The SHA-256 hash of the secret: the only form of the secret that is stored. Treat the array as
    /// read-only.
    /// </summary>
    public required byte[] SecretHash { get; init; }

    /// <summary>A hint that identifies the secret to a person (its prefix and last four characters).</summary>
    public required string SecretHint { get; init; }

    /// <summary>When the token stops authenticating (R21); <see langword="null"/> for a token that does not expire.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// When the token last authenticated successfully, to within <see cref="ApiTokenOptions.LastUsedGranularity"/>
    /// (R22). Written by the stores' <see cref="Stores.IApiTokenStore.RecordUsesAsync"/> only: an update never changes it.
    /// </summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the secret was last rotated (R23).</summary>
    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>
    /// The SHA-256 hash of the secret that was replaced by the last rotation, while it is in its grace
    /// period (R23); <see langword="null"/> otherwise. Treat the array as read-only.
    /// </summary>
    public byte[]? PreviousSecretHash { get; init; }

    /// <summary>When the previous secret stops authenticating (R23).</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>
    /// The networks requests presenting the token may come from (R33): up to
    /// <see cref="ApiTokenNetworks.MaxNetworks"/> CIDR ranges in their normalized form
    /// (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>); empty for any address.
    /// </summary>
    public IReadOnlyList<string> AllowedNetworks { get; init; } = [];

    /// <summary>The token's own rate limit (R34); <see langword="null"/> for <see cref="ApiTokenOptions.DefaultRateLimit"/>.</summary>
    public ApiTokenRateLimit? RateLimit { get; init; }

    /// <summary>
    /// The scopes the token is narrowed to (R42), distinct and in ordinal order: declared names
    /// (<see cref="ApiTokenOptions.Scopes"/>) or <c>resource:*</c>. Empty: every endpoint its privilege allows.
    /// </summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// Whether the token may rotate itself (R39): <c>POST /api/tokens/self/rotate</c> presenting it.
    /// Its previous secret then stops at the new secret's first successful use (or the grace period's end).
    /// </summary>
    public bool SelfRotate { get; init; }

    /// <summary>
    /// The expiry the lifecycle sweep has warned about (R38), with <see cref="ExpiryWarnedThreshold"/>:
    /// stored so restarts and other nodes never raise a warning twice; a new <see cref="ExpiresAt"/>
    /// (a rotation) arms the warnings again. Kept by the store; not shown in the management API.
    /// </summary>
    public DateTimeOffset? ExpiryWarnedFor { get; init; }

    /// <summary>
    /// The nearest threshold of <see cref="ApiTokenOptions.ExpiryWarnings"/> raised for
    /// <see cref="ExpiryWarnedFor"/> (<c>token.expiring</c>), or <see cref="TimeSpan.Zero"/> once
    /// <c>token.expired</c> was raised (R38).
    /// </summary>
    public TimeSpan? ExpiryWarnedThreshold { get; init; }

    /// <summary>
    /// The start of the idle period (<see cref="LastUsedAt"/>, or <see cref="CreatedAt"/> when never
    /// used) for which <c>token.unused</c> was raised (R38); a use starts a new period.
    /// </summary>
    public DateTimeOffset? UnusedWarnedSince { get; init; }

    /// <summary>
    /// The optimistic-concurrency version: a store accepts an update only if this equals the stored
    /// version, and increments it (R19).
    /// </summary>
    public long Version { get; init; }

    /// <summary>Whether the token has been retired (R13).</summary>
    public bool IsRetired => RetiredAt is not null;

    /// <summary>Whether the token has expired at <paramref name="now"/> (R21): from <see cref="ExpiresAt"/> on.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when expired.</returns>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiresAt && now >= expiresAt;

    /// <summary>Finds a recorded application by its exact (ordinal) name.</summary>
    /// <param name="appName">The application name.</param>
    /// <returns>The application, or <see langword="null"/> when it is not recorded.</returns>
    public TokenApp? FindApp(string appName)
    {
        ArgumentNullException.ThrowIfNull(appName);
        var apps = Apps;
        for (var i = 0; i < apps.Count; i++)
        {
            if (string.Equals(apps[i].Name, appName, StringComparison.Ordinal))
            {
                return apps[i];
            }
        }

        return null;
    }

    // Records print every property; this one must never print the secret hash (R17).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id)
            .Append(", Type = ").Append(Type)
            .Append(", AccountId = ").Append(AccountId)
            .Append(", OwnerId = ").Append(OwnerId)
            .Append(", Privilege = ").Append(Privilege)
            .Append(", DefaultAppState = ").Append(DefaultAppState)
            .Append(", Apps = ").Append(Apps.Count)
            .Append(", Retired = ").Append(IsRetired)
            .Append(", ExpiresAt = ").Append(ExpiresAt)
            .Append(", Version = ").Append(Version);
        return true;
    }
}
