namespace ApiTokens.Management;

/// <summary>A secret found where it should not be (R31, R32), and where it was found.</summary>
/// <param name="Secret">The secret as found. Never logged, stored or returned.</param>
/// <param name="Source">Where a scanner found it (for GitHub: <c>content</c>, <c>commit</c>, <c>issue_comment</c>, …); kept in the audit record.</param>
/// <param name="Url">The public address where it was found; kept in the audit record.</param>
public sealed record LeakedSecret(string Secret, string? Source = null, string? Url = null)
{
    /// <summary>Describes where the secret was found, never the secret (a record would print it).</summary>
    /// <returns>The source and url.</returns>
    public override string ToString() => $"LeakedSecret {{ Source = {Source}, Url = {Url} }}";
}

/// <summary>What <see cref="ApiTokenManager.RetireLeakedSecretsAsync"/> found for one reported secret.</summary>
public enum LeakedSecretStatus
{
    /// <summary>Not a secret of any token here (a false positive).</summary>
    Unknown,

    /// <summary>A live secret of a token, which this call retired.</summary>
    Retired,

    /// <summary>A secret of a token here that no longer works: retired already (perhaps by an earlier report), or a previous secret past its grace period.</summary>
    Inactive,
}

/// <summary>The outcome for one reported secret.</summary>
/// <param name="Status">Whether the secret was known and whether this call retired its token.</param>
/// <param name="TokenId">The token the secret belongs to; <see langword="null"/> when <see cref="LeakedSecretStatus.Unknown"/>. Not for the reporter: only for the host.</param>
public sealed record LeakedSecretResult(LeakedSecretStatus Status, string? TokenId);
