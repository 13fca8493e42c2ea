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
}
