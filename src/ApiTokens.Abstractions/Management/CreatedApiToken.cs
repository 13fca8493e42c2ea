
namespace ApiTokens.Management;

/// <summary>A newly created token and its secret, which is never available again (R17).</summary>
public sealed class CreatedApiToken
{
    /// <summary>Creates the value.</summary>
    /// <param name="details">The token.</param>
    /// <param name="secret">The secret.</param>
    public CreatedApiToken(ApiTokenDetails details, string secret)
    {
        ArgumentNullException.ThrowIfNull(details);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Details = details;
        Secret = secret;
    }

    /// <summary>The token.</summary>
    public ApiTokenDetails Details { get; }

    /// <summary>The secret to hand to the client. Show it once; it is not stored.</summary>
    public string Secret { get; }

    /// <summary>Describes the token without its secret.</summary>
    /// <returns>The token id and secret hint.</returns>
    public override string ToString() => $"CreatedApiToken {{ Id = {Details.Token.Id}, SecretHint = {Details.Token.SecretHint} }}";
}
