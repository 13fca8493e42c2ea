
namespace ApiTokens.Secrets;

/// <summary>The shape of newly generated secrets (R17).</summary>
public enum ApiTokenSecretFormat
{
    /// <summary>
    /// <c>&lt;prefix&gt;_&lt;43 base62 characters: 256 random bits&gt;&lt;6 base62 characters: CRC32&gt;</c>.
    /// Malformed or mistyped values are rejected without store I/O, and secret scanners recognise the prefix.
    /// </summary>
    Prefixed = 0,

    /// <summary>
    /// A random (version 4) UUID, the shape Circonus issues. Weaker: 122 random bits, no checksum and
    /// no recognisable prefix. Choose it only for clients that insist on the UUID shape.
    /// </summary>
    Uuid = 1,
}
