using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>POST /api/tokens</c>.</summary>
public sealed class CreateApiTokenBody
{
    /// <summary><c>user</c> or <c>account</c> (required).</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenType>))]
    public TokenType? Type { get; set; }

    /// <summary><c>admin</c>, <c>normal</c> or <c>readOnly</c>; default <c>readOnly</c>.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenPrivilege>))]
    public TokenPrivilege? Privilege { get; set; }

    /// <summary><c>allow</c>, <c>pending</c> or <c>deny</c>; default from the options.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public AppState? DefaultAppState { get; set; }

    /// <summary>At most 256 characters.</summary>
    public string? Description { get; set; }

    /// <summary>When the token expires (RFC 3339, in the future); or give <c>lifetimeDays</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The token's lifetime in whole days from now; or give <c>expiresAt</c>.</summary>
    public int? LifetimeDays { get; set; }

    /// <summary>Up to 32 CIDR ranges or addresses requests with the token may come from (R33); empty or absent for any.</summary>
    public string[]? AllowedNetworks { get; set; }

    /// <summary>The token's rate limit (R34); absent for the service's default.</summary>
    public ApiTokenRateLimitBody? RateLimit { get; set; }

    /// <summary>Up to 64 declared scopes (<c>resource:action</c> or <c>resource:*</c>) the token is narrowed to (R42); empty or absent for every endpoint its privilege allows.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>Whether the token may rotate itself with <c>POST /api/tokens/self/rotate</c> (R39). Default <c>false</c>.</summary>
    public bool SelfRotate { get; set; }
}
