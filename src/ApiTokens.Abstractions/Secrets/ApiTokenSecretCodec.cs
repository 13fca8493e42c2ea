using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using ApiTokens.Validation;
using Microsoft.Extensions.Options;

namespace ApiTokens.Secrets;

/// <summary>
/// Generates, checks, hashes and hints secrets in the configured format (R17): one instance per
/// application, shared by <see cref="ApiTokenManager"/>, <see cref="ApiTokenValidator"/> and every
/// transport. Generation uses <see cref="RandomNumberGenerator"/>; only <see cref="Hash(string)"/>'s
/// output is ever stored.
/// </summary>
/// <remarks>
/// Resolve it from dependency injection (<c>services.AddApiTokens()</c> registers it as a
/// singleton). No member ever logs or returns a secret other than <see cref="Generate"/>.
/// </remarks>
public sealed class ApiTokenSecretCodec
{
    /// <summary>The longest <see cref="ApiTokenOptions.SecretPrefix"/>.</summary>
    public const int MaxPrefixLength = 16;

    /// <summary>The length in bytes of a secret's hash (SHA-256).</summary>
    public const int HashLength = 32;

    /// <summary>The shortest secret of another shape that may be imported (R36).</summary>
    public const int MinImportedLength = 16;

    /// <summary>The longest secret of any shape (R36).</summary>
    public const int MaxImportedLength = 256;

    internal const int RandomBytes = 32;      // 256 bits of entropy.
    internal const int BodyLength = 43;       // ceil(256 / log2(62)) base62 digits.
    internal const int ChecksumLength = 6;    // 62^6 > 2^32.
    private const string Base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> s_base62 = SearchValues.Create(Base62Alphabet);

    private readonly string _prefix;

    /// <summary>Creates the codec for the configured format and prefix.</summary>
    /// <param name="options">The options (<see cref="ApiTokenOptions.SecretFormat"/>, <see cref="ApiTokenOptions.SecretPrefix"/>).</param>
    public ApiTokenSecretCodec(IOptions<ApiTokenOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        if (!IsValidPrefix(value.SecretPrefix))
        {
            throw new ArgumentException($"{nameof(ApiTokenOptions.SecretPrefix)} must be 1 to {MaxPrefixLength} ASCII letters or digits.", nameof(options));
        }

        Format = value.SecretFormat;
        _prefix = value.SecretPrefix;
        PrefixedLength = _prefix.Length + 1 + BodyLength + ChecksumLength;
    }

    /// <summary>The format of generated secrets.</summary>
    public ApiTokenSecretFormat Format { get; }

    internal int PrefixedLength { get; }

    /// <summary>Whether a value is a valid <see cref="ApiTokenOptions.SecretPrefix"/>: 1–16 ASCII letters or digits.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength)
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A regular expression that finds this service's generated secrets in text, for secret scanners
    /// (docs/secret-scanning.md): the prefix, <c>_</c>, 43 base62 characters and the 6-character
    /// checksum (whose first character is 0–4, as a CRC32 is below 62^5 × 5). RE2-compatible, so
    /// Gitleaks, TruffleHog and GitHub accept it. A match is a candidate: <see cref="IsWellFormed"/>
    /// checks its checksum.
    /// </summary>
    public string ScanningPattern => $@"\b{_prefix}_[0-9A-Za-z]{{{BodyLength}}}[0-4][0-9A-Za-z]{{{ChecksumLength - 1}}}\b";

    /// <summary>Generates a new secret from <see cref="RandomNumberGenerator"/>. Show it once; store only its <see cref="Hash(string)"/>.</summary>
    /// <returns>The secret.</returns>
    public string Generate() => Format == ApiTokenSecretFormat.Uuid ? GenerateUuid() : GeneratePrefixed();

    /// <summary>
    /// Whether a presented value can be a secret of a token here, without any I/O (R17, R36): a value
    /// that starts with this service's prefix and <c>_</c> only with the right length, alphabet and
    /// checksum; any other value when it could have been imported (16–256 printable ASCII
    /// characters, no spaces), which includes UUIDs.
    /// </summary>
    /// <param name="secret">The presented value.</param>
    /// <returns><see langword="true"/> when worth looking up.</returns>
    public bool IsWellFormed(ReadOnlySpan<char> secret)
    {
        if (HasOwnPrefix(secret))
        {
            return secret.Length == PrefixedLength && IsWellFormedPrefixed(secret);
        }

        return IsForeignShape(secret);
    }

    /// <summary>
    /// Whether a secret may be imported (R36): either well formed in this service's format, with its
    /// checksum, or another shape of 16 to 256 printable ASCII characters without spaces (for
    /// example a Circonus UUID). A value with this service's prefix and a wrong checksum is refused:
    /// it could never authenticate.
    /// </summary>
    /// <param name="secret">The secret to import.</param>
    /// <returns><see langword="true"/> when it can be imported.</returns>
    public bool IsImportable(ReadOnlySpan<char> secret) => IsWellFormed(secret);

    // A SHA-256 as the stores' hash is written for people: 64 lower-case hexadecimal digits (R36).
    internal static bool IsSha256Hex(string? value)
        => value is { Length: HashLength * 2 } && !value.AsSpan().ContainsAnyExcept("0123456789abcdef");

    // This service's generated shapes: a prefixed secret with its checksum, or a UUID.
    internal bool HasOwnShape(ReadOnlySpan<char> secret)
        => HasOwnPrefix(secret) ? secret.Length == PrefixedLength && IsWellFormedPrefixed(secret) : secret.Length == 36 && Guid.TryParseExact(secret, "D", out _);

    private bool HasOwnPrefix(ReadOnlySpan<char> secret)
        => secret.Length > _prefix.Length && secret.StartsWith(_prefix, StringComparison.Ordinal) && secret[_prefix.Length] == '_';

    private static bool IsForeignShape(ReadOnlySpan<char> secret)
        => secret.Length is >= MinImportedLength and <= MaxImportedLength && !secret.ContainsAnyExceptInRange('!', '~');

    /// <summary>The one-way hash of a secret (SHA-256 of its UTF-8 bytes): the only form a store keeps.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>A new array of <see cref="HashLength"/> bytes.</returns>
    public static byte[] Hash(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var hash = new byte[HashLength];
        Hash(secret, hash);
        return hash;
    }

    /// <summary>Hashes a secret into <paramref name="destination"/> without allocating.</summary>
    /// <param name="secret">The secret.</param>
    /// <param name="destination">At least <see cref="HashLength"/> bytes.</param>
    public static void Hash(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        if (destination.Length < HashLength)
        {
            throw new ArgumentException($"The destination must hold {HashLength} bytes.", nameof(destination));
        }

        // Secrets are ASCII and short (≤ 256 characters); the stack buffer avoids an allocation.
        Span<byte> utf8 = stackalloc byte[MaxImportedLength];
        if (Encoding.UTF8.TryGetBytes(secret, utf8, out var written))
        {
            SHA256.HashData(utf8[..written], destination);
            utf8[..written].Clear();
            return;
        }

        var rented = Encoding.UTF8.GetBytes(secret.ToString());
        SHA256.HashData(rented, destination);
        Array.Clear(rented);
    }

    /// <summary>A hint that identifies a secret to a person: its prefix and last four characters, never enough to use it.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>For example <c>apt_****x7Qa</c>.</returns>
    public string Hint(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 8)
        {
            throw new ArgumentException("A secret is longer than eight characters.", nameof(secret));
        }

        var last4 = secret.AsSpan(secret.Length - 4);
        return secret.Length == PrefixedLength && secret.StartsWith(_prefix, StringComparison.Ordinal)
            ? string.Concat(_prefix, "_****", last4)
            : string.Concat("****", last4);
    }

    private bool IsWellFormedPrefixed(ReadOnlySpan<char> secret)
    {
        var prefixLength = _prefix.Length;
        if (!secret.StartsWith(_prefix, StringComparison.Ordinal) || secret[prefixLength] != '_')
        {
            return false;
        }

        var payload = secret[(prefixLength + 1)..];
        if (payload.ContainsAnyExcept(s_base62))
        {
            return false;
        }

        var signed = secret[..^ChecksumLength];
        Span<byte> ascii = stackalloc byte[MaxPrefixLength + 1 + BodyLength];
        var length = Encoding.ASCII.GetBytes(signed, ascii);
        var expected = Crc32.HashToUInt32(ascii[..length]);
        return DecodeChecksum(secret[^ChecksumLength..]) == expected;
    }

    private string GeneratePrefixed()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        var body = SimpleBase.Base62.Default.Encode(random);
        random.Clear();

        var builder = new StringBuilder(PrefixedLength);
        builder.Append(_prefix).Append('_').Append('0', BodyLength - body.Length).Append(body);
        var signed = builder.ToString();

        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(Encoding.ASCII.GetBytes(signed)));
        var checksum = SimpleBase.Base62.Default.Encode(crc);
        builder.Append('0', ChecksumLength - checksum.Length).Append(checksum);
        return builder.ToString();
    }

    private static string GenerateUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);  // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString("D", CultureInfo.InvariantCulture);
    }

    // SimpleBase encodes; reading six digits back is done here so the hot path allocates nothing.
    // A test pins this to SimpleBase's alphabet.
    internal static ulong DecodeChecksum(ReadOnlySpan<char> digits)
    {
        ulong value = 0;
        foreach (var c in digits)
        {
            value = (value * 62) + (ulong)Base62Alphabet.IndexOf(c, StringComparison.Ordinal);
        }

        return value;
    }

    internal static string NewId()
    {
        Span<byte> bytes = stackalloc byte[12];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
