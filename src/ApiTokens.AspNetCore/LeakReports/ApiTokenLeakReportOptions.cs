namespace ApiTokens.AspNetCore.LeakReports;

/// <summary>
/// Options of the secret-scanning report endpoint (R31), read from the <c>ApiTokens:LeakReports</c>
/// configuration section, code after it.
/// </summary>
public sealed class ApiTokenLeakReportOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "ApiTokens:LeakReports";

    /// <summary>GitHub's published secret-scanning keys.</summary>
    public const string GitHubPublicKeysUrl = "https://api.github.com/meta/public_keys/secret_scanning";

    /// <summary>The largest report body accepted: 1 MiB.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The most entries one report may hold.</summary>
    public const int MaxEntries = 1_000;

    /// <summary>
    /// Where the verifying keys are read (<c>{"public_keys": [{"key_identifier", "key", "is_current"}]}</c>,
    /// keys in PEM). <c>https</c> only, except <c>http</c> to a loopback address (tests, a local
    /// mirror). Default: <see cref="GitHubPublicKeysUrl"/>.
    /// </summary>
    public string GitHubKeysUrl { get; set; } = GitHubPublicKeysUrl;

    /// <summary>How long a request for the keys may take before the report is refused with 503. Default: 5 seconds.</summary>
    public TimeSpan KeysTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How soon the keys are read again when a report names a key id not among them. Default: 1
    /// minute — so a stream of forged key ids cannot make this service hammer the key server.
    /// </summary>
    public TimeSpan KeysRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The <c>Retry-After</c> of a 503 while the key server cannot be read. Default: 60 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    // The first problem, naming the key; null when valid.
    internal static string? Validate(ApiTokenLeakReportOptions options)
    {
        if (!Uri.TryCreate(options.GitHubKeysUrl, UriKind.Absolute, out var url)
            || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
        {
            return $"{SectionName}:{nameof(GitHubKeysUrl)} is '{options.GitHubKeysUrl}'; it must be an https URL (http only to a loopback address), e.g. {GitHubPublicKeysUrl}.";
        }

        if (options.KeysTimeout <= TimeSpan.Zero || options.KeysTimeout > TimeSpan.FromMinutes(1))
        {
            return SettingRanges.Duration($"{SectionName}:{nameof(KeysTimeout)}", options.KeysTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), aboveMin: true);
        }

        if (options.KeysRefreshInterval < TimeSpan.Zero || options.KeysRefreshInterval > TimeSpan.FromDays(1))
        {
            return SettingRanges.Duration($"{SectionName}:{nameof(KeysRefreshInterval)}", options.KeysRefreshInterval, TimeSpan.Zero, TimeSpan.FromDays(1), TimeSpan.FromMinutes(1));
        }

        if (options.RetryAfter < TimeSpan.FromSeconds(1) || options.RetryAfter > TimeSpan.FromHours(1))
        {
            return SettingRanges.Duration($"{SectionName}:{nameof(RetryAfter)}", options.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), TimeSpan.FromSeconds(60));
        }

        return null;
    }
}
