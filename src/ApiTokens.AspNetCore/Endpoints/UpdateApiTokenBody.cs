using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>PATCH /api/tokens/{id}</c>; absent properties are not changed.</summary>
public sealed class UpdateApiTokenBody
{
    /// <summary>The new privilege.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenPrivilege>))]
    public TokenPrivilege? Privilege { get; set; }

    /// <summary>The new default app state.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public AppState? DefaultAppState { get; set; }

    /// <summary>The new description; empty clears it.</summary>
    public string? Description { get; set; }

    /// <summary>The new allowed networks (R33); <c>null</c> or <c>[]</c> clears them (any address).</summary>
    public string[]? AllowedNetworks
    {
        get;
        set
        {
            field = value;
            AllowedNetworksSent = true;
        }
    }

    /// <summary>The new rate limit (R34); <c>null</c> removes the token's own limit.</summary>
    public ApiTokenRateLimitBody? RateLimit
    {
        get;
        set
        {
            field = value;
            RateLimitSent = true;
        }
    }

    /// <summary>The new scopes (R42); <c>null</c> or <c>[]</c> clears them (every endpoint the privilege allows).</summary>
    public string[]? Scopes
    {
        get;
        set
        {
            field = value;
            ScopesSent = true;
        }
    }

    // Whether the body named the property at all (null clears; absent leaves as it is).
    internal bool AllowedNetworksSent { get; private set; }

    /// <summary>Whether the token may rotate itself (R39); absent keeps it.</summary>
    public bool? SelfRotate { get; set; }

    internal bool ScopesSent { get; private set; }

    internal bool RateLimitSent { get; private set; }
}
