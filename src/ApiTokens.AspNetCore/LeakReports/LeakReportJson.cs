using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.LeakReports;

// GitHub's secret-scanning partner format: the report's entries and the labels answered.
internal sealed class GitHubLeakReportEntry
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("url")]
    public string? Url { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }
}

internal sealed class GitHubLeakReportLabel
{
    [JsonPropertyName("token_hash")]
    public required string TokenHash { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    [JsonPropertyName("label")]
    public required string Label { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(GitHubLeakReportEntry[]))]
[JsonSerializable(typeof(GitHubLeakReportLabel[]))]
internal sealed partial class LeakReportJsonContext : JsonSerializerContext
{
}
