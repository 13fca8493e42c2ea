using ApiTokens.Secrets;

namespace ApiTokens;

/// <summary>
/// The first token of a service without a user interface (R36), read from the
/// <c>ApiTokens:Bootstrap</c> configuration section: at start the host ensures that exactly one
/// account token with this secret exists, created once with the actor <c>bootstrap</c>. Nothing
/// happens while <see cref="AccountId"/> is not set.
/// </summary>
/// <remarks>
/// Keep the secret out of appsettings.json: give it through an environment variable
/// (<c>ApiTokens__Bootstrap__Secret</c>), user secrets or a vault, or give only its SHA-256
/// (<see cref="SecretSha256"/>). A retired bootstrap token is never brought back; remove the section
/// or configure a new secret.
/// </remarks>
public sealed class ApiTokenBootstrapOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string SectionName = "ApiTokens:Bootstrap";

    /// <summary>The account the token belongs to; when not set, there is no bootstrap token.</summary>
    public string? AccountId { get; set; }

    /// <summary>The plain secret (this service's format or 16–256 printable ASCII characters). Give this or <see cref="SecretSha256"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>The SHA-256 of the secret, 64 lower-case hexadecimal digits. Give this or <see cref="Secret"/>.</summary>
    public string? SecretSha256 { get; set; }

    /// <summary>The token's privilege; <see cref="TokenPrivilege.ReadOnly"/> by default.</summary>
    public TokenPrivilege Privilege { get; set; } = TokenPrivilege.ReadOnly;

    /// <summary>An optional description of at most 256 characters.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// The token's default app state; <see cref="AppState.Allow"/> by default, because a service
    /// without a user interface has no page on which to approve the first app.
    /// </summary>
    public AppState? DefaultAppState { get; set; } = AppState.Allow;

    /// <summary>Whether a bootstrap token is configured: any of <see cref="AccountId"/>, <see cref="Secret"/> or <see cref="SecretSha256"/> is set, even to an empty value (which then stops the start, naming it).</summary>
    public bool IsConfigured => AccountId is not null || Secret is not null || SecretSha256 is not null;

    // The first problem of a configured section, naming its key and never a secret; null when valid.
    // A key given with an empty value (ApiTokens__Bootstrap__Secret= in a shell) is named first: it is
    // what the operator got wrong, not the keys the check would reach after it (R43).
    internal static string? Validate(ApiTokenBootstrapOptions options, ApiTokenSecretCodec secrets)
    {
        if (options.Secret is { Length: 0 })
        {
            return $"{SectionName}:{nameof(Secret)} is empty; give the first token's secret there (or its SHA-256 as {nameof(SecretSha256)}), or remove the key.";
        }

        if (options.SecretSha256 is { Length: 0 })
        {
            return $"{SectionName}:{nameof(SecretSha256)} is empty; give the SHA-256 of the first token's secret there (or the secret as {nameof(Secret)}), or remove the key.";
        }

        if (options.AccountId is { Length: 0 })
        {
            return $"{SectionName}:{nameof(AccountId)} is empty; name the account of the first token (1 to {ApiTokenOptions.MaxTokenIdLength} characters).";
        }

        if (string.IsNullOrEmpty(options.AccountId) || options.AccountId.Length > ApiTokenOptions.MaxTokenIdLength)
        {
            return $"{SectionName}:{nameof(AccountId)} must name the account of the first token (1 to {ApiTokenOptions.MaxTokenIdLength} characters).";
        }

        if ((options.Secret is null) == (options.SecretSha256 is null))
        {
            return $"{SectionName}: set exactly one of {nameof(Secret)} and {nameof(SecretSha256)}.";
        }

        if (options.Secret is not null && !secrets.IsImportable(options.Secret))
        {
            return $"{SectionName}:{nameof(Secret)} must be a secret in this service's format (with a valid checksum) or {ApiTokenSecretCodec.MinImportedLength} to {ApiTokenSecretCodec.MaxImportedLength} printable ASCII characters without spaces.";
        }

        if (options.SecretSha256 is not null && !ApiTokenSecretCodec.IsSha256Hex(options.SecretSha256))
        {
            return $"{SectionName}:{nameof(SecretSha256)} must be 64 lower-case hexadecimal digits.";
        }

        if (!Enum.IsDefined(options.Privilege))
        {
            return $"{SectionName}:{nameof(Privilege)} must be Admin, Normal or ReadOnly.";
        }

        if (options.DefaultAppState is { } state && !Enum.IsDefined(state))
        {
            return $"{SectionName}:{nameof(DefaultAppState)} must be Allow, Pending or Deny.";
        }

        if (options.Description is { } description && (description.Length > ApiTokenOptions.MaxDescriptionLength || !TextRules.IsValidDescription(description)))
        {
            return $"{SectionName}:{nameof(Description)} must be at most {ApiTokenOptions.MaxDescriptionLength} characters without control characters other than tab and newline.";
        }

        return null;
    }
}

/// <summary>What <see cref="ApiTokenManager.EnsureBootstrapTokenAsync"/> found or did.</summary>
/// <param name="TokenId">The bootstrap token's id; <see langword="null"/> when <paramref name="Retired"/>.</param>
/// <param name="Created">Whether this call created it.</param>
/// <param name="Retired">Whether the secret belongs to a retired token (then nothing is created).</param>
public sealed record ApiTokenBootstrapResult(string? TokenId, bool Created, bool Retired);
