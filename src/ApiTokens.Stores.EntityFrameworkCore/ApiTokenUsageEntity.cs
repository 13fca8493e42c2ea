namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>Requests per (token, app, UTC day) by outcome (R35): the <c>api_token_usage</c> table.</summary>
public sealed class ApiTokenUsageEntity
{
    /// <summary>The token.</summary>
    public string TokenId { get; set; } = null!;

    /// <summary>The app the requests named.</summary>
    public string AppName { get; set; } = null!;

    /// <summary>The UTC day.</summary>
    public DateOnly Day { get; set; }

    /// <summary>Requests served.</summary>
    public long Allowed { get; set; }

    /// <summary>Requests refused: app pending.</summary>
    public long Pending { get; set; }

    /// <summary>Requests refused: app denied.</summary>
    public long Denied { get; set; }

    /// <summary>Requests refused by networks or rate limit.</summary>
    public long Limited { get; set; }
}
