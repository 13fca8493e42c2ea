namespace ApiTokens.Auditing;

/// <summary>
/// The actors of audit records that no member made (R24): who retired a leaked secret, the first
/// token from configuration. A member's actor is its user id; an app's, <c>app:</c> and its name.
/// </summary>
public static class ApiTokenAuditActors
{
    /// <summary>The prefix of a secret-scanning report's actor: <c>leak-report:</c> and the scanner (R31).</summary>
    public const string LeakReportPrefix = "leak-report:";

    /// <summary>GitHub's secret-scanning reports (R31).</summary>
    public const string GitHubLeakReport = LeakReportPrefix + "github";

    /// <summary>Anyone who revoked a secret they found (R32).</summary>
    public const string RevocationRequest = "revocation-request";

    /// <summary>The token <see cref="ApiTokenBootstrapOptions"/> ensures (R36).</summary>
    public const string Bootstrap = "bootstrap";

    /// <summary>The lifecycle sweep's warnings: <c>token.expiring</c>, <c>token.expired</c>, <c>token.unused</c> (R38).</summary>
    public const string Lifecycle = "policy:lifecycle";

    /// <summary>The sweep retiring a token idle for <see cref="ApiTokenOptions.RetireUnusedAfter"/> (R38).</summary>
    public const string UnusedPolicy = "policy:unused";

    /// <summary>A self-rotating token's previous secret presented after it ended (R39); retires the token with <see cref="ApiTokenOptions.RetireOnPreviousSecretReuse"/>.</summary>
    public const string PreviousSecretReuse = "policy:previous-secret-reuse";
}
