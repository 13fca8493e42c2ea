namespace ApiTokens;

/// <summary>An application recorded under a token, with its own decision (R8–R10).</summary>
/// <param name="Name">The application name as the client sent it (compared ordinally, R11).</param>
/// <param name="State">The decision for this application.</param>
/// <param name="FirstSeenAt">When the application was first recorded.</param>
public sealed record TokenApp(string Name, AppState State, DateTimeOffset FirstSeenAt)
{
    /// <summary>
    /// When a request with this application last authenticated successfully, to within
    /// <see cref="ApiTokenOptions.LastUsedGranularity"/> (R22); <see langword="null"/> until then.
    /// </summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}
