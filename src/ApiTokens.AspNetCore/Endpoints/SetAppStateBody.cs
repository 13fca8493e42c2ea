using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>The body of <c>PUT /api/tokens/{id}/apps/{appName}</c>.</summary>
public sealed class SetAppStateBody
{
    /// <summary><c>allow</c> or <c>deny</c> (required).</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public AppState? State { get; set; }
}
