namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>Requests of one app on one UTC day by outcome, as <c>GET /api/tokens/{id}/usage</c> answers (R35).</summary>
public sealed class ApiTokenUsageResponse
{
    /// <summary>The app the requests named.</summary>
    public required string App { get; init; }

    /// <summary>The UTC day, <c>yyyy-MM-dd</c>.</summary>
    public required string Day { get; init; }

    /// <summary>Requests served.</summary>
    public required long Allowed { get; init; }

    /// <summary>Requests refused while the app waited for approval.</summary>
    public required long Pending { get; init; }

    /// <summary>Requests refused because the app is denied.</summary>
    public required long Denied { get; init; }

    /// <summary>Requests refused by the token's allowed networks or rate limit.</summary>
    public required long Limited { get; init; }
}
