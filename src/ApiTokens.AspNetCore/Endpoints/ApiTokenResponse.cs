using System.Text.Json.Serialization;
using ApiTokens.Management;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>A token as the management API returns it (docs/management-api.md). Never carries the secret, except once in the create response.</summary>
public sealed class ApiTokenResponse
{
    /// <summary>The token id.</summary>
    public required string Id { get; init; }

    /// <summary><c>user</c> or <c>account</c>.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenType>))]
    public required TokenType Type { get; init; }

    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The owner of a user token; <see langword="null"/> for account tokens.</summary>
    public string? OwnerId { get; init; }

    /// <summary>Who created the token.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the token was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The description.</summary>
    public string? Description { get; init; }

    /// <summary>The privilege set on the token.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenPrivilege>))]
    public required TokenPrivilege Privilege { get; init; }

    /// <summary>What the token may do now (R15); <see langword="null"/> when it cannot authenticate.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<TokenPrivilege>))]
    public TokenPrivilege? EffectivePrivilege { get; init; }

    /// <summary>The state new apps are recorded with.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public required AppState DefaultAppState { get; init; }

    /// <summary>The recorded apps.</summary>
    public required IReadOnlyList<ApiTokenAppResponse> Apps { get; init; }

    /// <summary>Whether the token is retired.</summary>
    public required bool Retired { get; init; }

    /// <summary>When the token was retired.</summary>
    public DateTimeOffset? RetiredAt { get; init; }

    /// <summary>Who retired the token.</summary>
    public string? RetiredBy { get; init; }

    /// <summary>When the token was promoted to an account token.</summary>
    public DateTimeOffset? PromotedAt { get; init; }

    /// <summary>Who promoted the token.</summary>
    public string? PromotedBy { get; init; }

    /// <summary>The owner before promotion.</summary>
    public string? FormerOwnerId { get; init; }

    /// <summary>When the token stops working (R21); <see langword="null"/> when it does not expire.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether the token has expired (R21): it fails like an unknown token and can only be retired.</summary>
    public required bool Expired { get; init; }

    /// <summary>When the token last authenticated, to within the configured granularity (R22).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When the secret was last rotated (R23).</summary>
    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>When the secret replaced by the last rotation stops (or stopped) working (R23).</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>The secret's prefix and last four characters, never the secret.</summary>
    public required string SecretHint { get; init; }

    /// <summary>
    /// The token's version: every change increments it. The same value, quoted, is the response's
    /// <c>ETag</c>; send it back in <c>If-Match</c> (for example from a list) so a change made
    /// meanwhile is not overwritten (412).
    /// </summary>
    public required long Version { get; init; }

    /// <summary>The networks requests with the token may come from (R33); empty for any address.</summary>
    public required IReadOnlyList<string> AllowedNetworks { get; init; }

    /// <summary>The token's own rate limit (R34); <c>null</c> when the service's default applies.</summary>
    public ApiTokenRateLimitBody? RateLimit { get; init; }

    /// <summary>The scopes the token is narrowed to (R42); empty for every endpoint its privilege allows.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>Whether the token may rotate itself (R39).</summary>
    public bool SelfRotate { get; init; }

    /// <summary>The secret: only in the response that creates or rotates the token, never again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    internal static ApiTokenResponse From(ApiTokenDetails details, string? secret = null)
    {
        var token = details.Token;
        var apps = new ApiTokenAppResponse[token.Apps.Count];
        for (var i = 0; i < apps.Length; i++)
        {
            var app = token.Apps[i];
            apps[i] = new ApiTokenAppResponse { Name = app.Name, State = app.State, FirstSeenAt = app.FirstSeenAt, LastUsedAt = app.LastUsedAt };
        }

        return new ApiTokenResponse
        {
            Id = token.Id,
            Type = token.Type,
            AccountId = token.AccountId,
            OwnerId = token.OwnerId,
            CreatedBy = token.CreatedBy,
            CreatedAt = token.CreatedAt,
            Description = token.Description,
            Privilege = token.Privilege,
            EffectivePrivilege = details.EffectivePrivilege,
            DefaultAppState = token.DefaultAppState,
            Apps = apps,
            Retired = token.IsRetired,
            RetiredAt = token.RetiredAt,
            RetiredBy = token.RetiredBy,
            PromotedAt = token.PromotedAt,
            PromotedBy = token.PromotedBy,
            FormerOwnerId = token.FormerOwnerId,
            ExpiresAt = token.ExpiresAt,
            Expired = details.Expired,
            LastUsedAt = token.LastUsedAt,
            RotatedAt = token.RotatedAt,
            PreviousSecretExpiresAt = token.PreviousSecretExpiresAt,
            SecretHint = token.SecretHint,
            Version = token.Version,
            AllowedNetworks = token.AllowedNetworks,
            RateLimit = ApiTokenRateLimitBody.From(token.RateLimit),
            Scopes = token.Scopes,
            SelfRotate = token.SelfRotate,
            Secret = secret,
        };
    }

    /// <summary>Describes the token without its secret.</summary>
    /// <returns>The id and hint.</returns>
    public override string ToString() => $"ApiTokenResponse {{ Id = {Id}, SecretHint = {SecretHint} }}";
}
