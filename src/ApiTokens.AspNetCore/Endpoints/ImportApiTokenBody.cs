using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>POST /api/tokens/import</c> (R36): <c>secret</c> or <c>secretSha256</c>, not both.</summary>
public sealed class ImportApiTokenBody
{
    /// <summary>The plain secret to import: this service's format, or 16–256 printable ASCII characters without spaces.</summary>
    public string? Secret { get; set; }

    /// <summary>The secret's SHA-256 as 64 lower-case hexadecimal digits.</summary>
    public string? SecretSha256 { get; set; }

    /// <summary><c>user</c> or <c>account</c> (required).</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenType>))]
    public TokenType? Type { get; set; }

    /// <summary>The owner of a user token (a member of the account); the importing admin when not given.</summary>
    public string? OwnerId { get; set; }

    /// <summary><c>admin</c>, <c>normal</c> or <c>readOnly</c>; default <c>readOnly</c>.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenPrivilege>))]
    public TokenPrivilege? Privilege { get; set; }

    /// <summary><c>allow</c>, <c>pending</c> or <c>deny</c>; default from the options.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public AppState? DefaultAppState { get; set; }

    /// <summary>At most 256 characters.</summary>
    public string? Description { get; set; }

    /// <summary>When the token expires (RFC 3339, in the future).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Up to 32 CIDR ranges or addresses requests with the token may come from (R33); empty or absent for any.</summary>
    public string[]? AllowedNetworks { get; set; }

    /// <summary>The token's rate limit (R34); absent for the service's default.</summary>
    public ApiTokenRateLimitBody? RateLimit { get; set; }

    /// <summary>Up to 64 declared scopes (<c>resource:action</c> or <c>resource:*</c>) the token is narrowed to (R42); empty or absent for every endpoint its privilege allows.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>Whether the token may rotate itself with <c>POST /api/tokens/self/rotate</c> (R39). Default <c>false</c>.</summary>
    public bool SelfRotate { get; set; }
}
