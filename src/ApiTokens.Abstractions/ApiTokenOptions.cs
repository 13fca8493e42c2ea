namespace ApiTokens;

/// <summary>Options of the token model: defaults, limits and the secret format.</summary>
public sealed class ApiTokenOptions
{
    /// <summary>The largest allowed <see cref="MaxAppsPerToken"/>.</summary>
    public const int MaxAppsPerTokenLimit = 100_000;

    /// <summary>The most characters of a token description.</summary>
    public const int MaxDescriptionLength = 256;

    /// <summary>The most characters of an application name (R11).</summary>
    public const int MaxAppNameLength = 256;

    /// <summary>The default app state of a new token when the request names none (R7). Default: <see cref="AppState.Allow"/>.</summary>
    public AppState DefaultAppState { get; set; } = AppState.Allow;

    /// <summary>The most applications a token records (R12). Default: 1,000.</summary>
    public int MaxAppsPerToken { get; set; } = 1_000;

    /// <summary>The format of newly generated secrets (R17). Default: <see cref="ApiTokenSecretFormat.Prefixed"/>.</summary>
    /// <remarks>
    /// Presented secrets are accepted in the prefixed format always, and as UUIDs only while this is
    /// <see cref="ApiTokenSecretFormat.Uuid"/>.
    /// </remarks>
    public ApiTokenSecretFormat SecretFormat { get; set; } = ApiTokenSecretFormat.Prefixed;

    /// <summary>The prefix of prefixed secrets: 1–16 ASCII letters or digits. Default: <c>apt</c>.</summary>
    public string SecretPrefix { get; set; } = "apt";
}
