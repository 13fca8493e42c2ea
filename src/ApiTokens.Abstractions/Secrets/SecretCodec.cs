using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ApiTokens;

/// <summary>
/// Generates, checks, hashes and hints secrets (R17). Generation uses
/// <see cref="RandomNumberGenerator"/>; only <see cref="Hash(string)"/>'s output is ever stored.
/// </summary>
internal sealed class SecretCodec
{
    public const int MaxPrefixLength = 16;
    public const int RandomBytes = 32;      // 256 bits of entropy.
    public const int BodyLength = 43;       // ceil(256 / log2(62)) base62 digits.
    public const int ChecksumLength = 6;    // 62^6 > 2^32.
    public const int HashLength = 32;       // SHA-256.
    private const int UuidLength = 36;
    private const string Base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> s_base62 = SearchValues.Create(Base62Alphabet);

    private readonly string _prefix;
    private readonly bool _acceptUuid;

    public SecretCodec(IOptions<ApiTokenOptions> options)
        : this(options.Value.SecretFormat, options.Value.SecretPrefix)
    {
    }

    public SecretCodec(ApiTokenSecretFormat format, string prefix)
    {
        Format = format;
        _prefix = prefix;
        _acceptUuid = format == ApiTokenSecretFormat.Uuid;
        PrefixedLength = prefix.Length + 1 + BodyLength + ChecksumLength;
    }

    public ApiTokenSecretFormat Format { get; }

    public int PrefixedLength { get; }

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

    public string Generate() => Format == ApiTokenSecretFormat.Uuid ? GenerateUuid() : GeneratePrefixed();

    /// <summary>Checks shape and checksum without any I/O; the hot path calls this before hashing.</summary>
    public bool IsWellFormed(ReadOnlySpan<char> secret)
    {
        if (secret.Length == PrefixedLength)
        {
            return IsWellFormedPrefixed(secret);
        }

        return _acceptUuid && secret.Length == UuidLength && Guid.TryParseExact(secret, "D", out _);
    }

    public static byte[] Hash(string secret)
    {
        var hash = new byte[HashLength];
        Hash(secret, hash);
        return hash;
    }

    public static void Hash(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        // Secrets are ASCII and short (≤ 66 characters); the stack buffer avoids an allocation.
        Span<byte> utf8 = stackalloc byte[128];
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

    public string Hint(string secret)
    {
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
