using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>An app recorded under a token.</summary>
public sealed class ApiTokenAppResponse
{
    /// <summary>The app name.</summary>
    public required string Name { get; init; }

    /// <summary><c>allow</c>, <c>pending</c> or <c>deny</c>.</summary>
    [JsonConverter(typeof(CamelCaseEnumConverter<AppState>))]
    public required AppState State { get; init; }

    /// <summary>When the app was first seen (or decided in advance).</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }

    /// <summary>When a request with this app last authenticated, to within the configured granularity (R22).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}
