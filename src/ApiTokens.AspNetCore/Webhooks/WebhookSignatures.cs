using System.Security.Cryptography;
using System.Text;

namespace ApiTokens.AspNetCore.Webhooks;

// Standard Webhooks signatures (R37): for each secret that signs, "v1," and the base64 HMAC-SHA256 of
// "<webhook-id>.<webhook-timestamp>.<body>" keyed with the secret's bytes (the base64 after "whsec_"),
// space-separated. Written with the BCL's HMACSHA256: the format is these few lines, the BCL is FIPS-
// validated where the platform is, and no package is needed for it; the tests verify every delivery
// with the StandardWebhooks package, independently.
internal static class WebhookSignatures
{
    public const string SecretPrefix = "whsec_";

    public static string Sign(IReadOnlyList<string> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        var signatures = new string[secrets.Count];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        for (var i = 0; i < secrets.Count; i++)
        {
            var key = Convert.FromBase64String(secrets[i].StartsWith(SecretPrefix, StringComparison.Ordinal) ? secrets[i][SecretPrefix.Length..] : secrets[i]);
            HMACSHA256.HashData(key, content, mac);
            CryptographicOperations.ZeroMemory(key);
            signatures[i] = "v1," + Convert.ToBase64String(mac);
        }

        return string.Join(' ', signatures);
    }
}
