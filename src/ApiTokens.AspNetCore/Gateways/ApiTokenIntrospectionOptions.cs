namespace ApiTokens.AspNetCore.Gateways;

/// <summary>
/// The clients that may call the introspection endpoint (R40), read from
/// <c>ApiTokens:Introspection</c>, code after it. Each client authenticates with HTTP Basic
/// (<c>ClientId:secret</c>); only the SHA-256 of its secret is configured.
/// </summary>
public sealed class ApiTokenIntrospectionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ApiTokens:Introspection";

    /// <summary>
    /// The clients: <c>ApiTokens:Introspection:Clients:0:ClientId</c>, <c>…:0:SecretSha256</c> (64
    /// lower-case hexadecimal digits, <c>printf %s "$SECRET" | sha256sum</c>). None: every call is a 401.
    /// </summary>
    public IList<ApiTokenIntrospectionClient> Clients { get; } = [];

    internal static string? Validate(ApiTokenIntrospectionOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clients.Count; i++)
        {
            var client = options.Clients[i];
            if (string.IsNullOrEmpty(client.ClientId) || client.ClientId.Length > 256 || client.ClientId.Contains(':', StringComparison.Ordinal))
            {
                return $"{SectionName}:Clients:{i}:ClientId is '{client.ClientId}'; it must be 1 to 256 characters without ':' (Basic authentication splits at the first colon), e.g. gateway.";
            }

            if (!seen.Add(client.ClientId))
            {
                return $"{SectionName}:Clients:{i}:ClientId '{client.ClientId}' is configured twice.";
            }

            if (!Secrets.ApiTokenSecretCodec.IsSha256Hex(client.SecretSha256))
            {
                return $"{SectionName}:Clients:{i}:SecretSha256 must be 64 lower-case hexadecimal digits (the SHA-256 of the client's secret: printf %s \"$SECRET\" | sha256sum).";
            }
        }

        return null;
    }
}

/// <summary>A caller of the introspection endpoint.</summary>
public sealed class ApiTokenIntrospectionClient
{
    /// <summary>The user name of its Basic authentication.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The SHA-256 of its secret, 64 lower-case hexadecimal digits.</summary>
    public string SecretSha256 { get; set; } = "";
}
