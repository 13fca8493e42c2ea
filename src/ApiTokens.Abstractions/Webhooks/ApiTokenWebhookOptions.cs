namespace ApiTokens.Webhooks;

/// <summary>
/// Webhook settings (R37), bound from <c>ApiTokens:Webhooks</c>: how long a receiver may take, when a
/// failed delivery is tried again, when an endpoint that keeps failing is disabled, and whether
/// endpoints may be on private networks.
/// </summary>
public sealed class ApiTokenWebhookOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ApiTokens:Webhooks";

    /// <summary>How long a receiver may take to answer 2xx before the attempt counts as failed. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The retry schedule when none is configured: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <summary>
    /// The waits after each failed attempt before the next one; after the last, the delivery fails.
    /// <see langword="null"/> (the default) for <see cref="DefaultRetrySchedule"/>: eight attempts over
    /// about 28 hours. In configuration a list: <c>ApiTokens:Webhooks:RetrySchedule:0=00:00:01</c>, …
    /// </summary>
    public TimeSpan[]? RetrySchedule { get; set; }

    /// <summary>An endpoint whose attempts have all failed for this long is disabled (with an audit record). Default 5 days.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// Allows endpoints on <c>http</c> and on private, loopback, link-local and unique-local addresses.
    /// Off by default: a webhook URL is a request the service makes on a member's behalf, and must not
    /// reach the service's own network (server-side request forgery). The sample turns it on in
    /// Development, for receivers on the same machine.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How often each node looks for deliveries that fell due (retries, another node's work). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most endpoints one account may register. Default 20.</summary>
    public int MaxEndpointsPerAccount { get; set; } = 20;

    /// <summary>The retry schedule in force: <see cref="RetrySchedule"/>, or <see cref="DefaultRetrySchedule"/> when none is configured.</summary>
    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule is { Length: > 0 } configured ? configured : DefaultRetrySchedule;

    // What is out of range, or null.
    internal static string? Validate(ApiTokenWebhookOptions options)
    {
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            return SettingRanges.Duration($"{SectionName}:{nameof(Timeout)}", options.Timeout, TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10), aboveMin: true);
        }

        if (options.RetrySchedule is { } schedule && (schedule.Length > 50 || schedule.Any(static w => w <= TimeSpan.Zero || w > TimeSpan.FromDays(7))))
        {
            return $"{SectionName}:RetrySchedule is {string.Join(", ", schedule.Select(static w => w.ToString("c", System.Globalization.CultureInfo.InvariantCulture)))}; it holds at most 50 waits, each more than 00:00:00 and at most 7.00:00:00, e.g. 00:00:05.";
        }

        if (options.DisableAfter <= TimeSpan.Zero)
        {
            return $"{SectionName}:{nameof(DisableAfter)} is {SettingRanges.Format(options.DisableAfter)} ({SettingRanges.Describe(options.DisableAfter)}); it must be more than 00:00:00, e.g. 5.00:00:00.";
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(100) || options.PollInterval > TimeSpan.FromMinutes(10))
        {
            return SettingRanges.Duration($"{SectionName}:{nameof(PollInterval)}", options.PollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1));
        }

        return options.MaxEndpointsPerAccount is < 1 or > 1000
            ? $"{SectionName}:MaxEndpointsPerAccount is {options.MaxEndpointsPerAccount}; it must be between 1 and 1000."
            : null;
    }
}
