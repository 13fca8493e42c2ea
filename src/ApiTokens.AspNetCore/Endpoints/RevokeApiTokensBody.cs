namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>POST /api/tokens/revoke</c> (R32): secrets someone found.</summary>
public sealed class RevokeApiTokensBody
{
    /// <summary>The most secrets one request may carry.</summary>
    public const int MaxSecrets = 100;

    /// <summary>The actor of the retirements a revocation request makes, in the audit trail.</summary>
    public const string Actor = ApiTokens.Auditing.ApiTokenAuditActors.RevocationRequest;

    /// <summary>1 to 100 secrets.</summary>
    public string[]? Secrets { get; set; }
}

/// <summary>The answer of <c>POST /api/tokens/revoke</c>: always the same for the same number of secrets, matched or not.</summary>
public sealed class RevokeApiTokensResponse
{
    /// <summary>How many secrets the request carried.</summary>
    public required int Received { get; init; }
}
