using System.Security.Cryptography;

namespace ApiTokens.Secrets;

// Which of a token's secrets a hash is (R23: a rotated token has two), compared in constant time.
// The one place this is judged: the validation lookup and leak reports both ask here.
internal enum SecretMatch
{
    None,
    Current,
    Previous,
}

internal static class SecretMatches
{
    public static SecretMatch Match(ApiToken token, ReadOnlySpan<byte> hash)
    {
        if (CryptographicOperations.FixedTimeEquals(token.SecretHash, hash))
        {
            return SecretMatch.Current;
        }

        return token.PreviousSecretHash is { } previous && CryptographicOperations.FixedTimeEquals(previous, hash)
            ? SecretMatch.Previous
            : SecretMatch.None;
    }

    // The token of a batch that a hash belongs to, with which of its secrets it is.
    public static ApiToken? Find(IReadOnlyList<ApiToken> tokens, ReadOnlySpan<byte> hash, out SecretMatch match)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            match = Match(tokens[i], hash);
            if (match != SecretMatch.None)
            {
                return tokens[i];
            }
        }

        match = SecretMatch.None;
        return null;
    }

    // Whether the secret still works (R13, R21, R23): the token is not retired, and the secret is its
    // current one, or its previous one within the grace period. Expiry is the caller's to judge.
    public static bool IsLive(ApiToken token, SecretMatch match, DateTimeOffset now)
        => !token.IsRetired && (match == SecretMatch.Current || (match == SecretMatch.Previous && token.PreviousSecretExpiresAt > now));
}
