
namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>The database row of an app recorded under a token (table <c>api_token_apps</c>, key (token, name)).</summary>
public sealed class ApiTokenAppEntity
{
    /// <summary>The token id.</summary>
    public string TokenId { get; set; } = null!;

    /// <summary>The app name (compared ordinally: the column must use a case-sensitive collation).</summary>
    public string Name { get; set; } = null!;

    /// <summary>The app's state.</summary>
    public AppState State { get; set; }

    /// <summary>When the app was first seen (UTC).</summary>
    public DateTimeOffset FirstSeenAt { get; set; }

    /// <summary>When the app last used the token (R22).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}
