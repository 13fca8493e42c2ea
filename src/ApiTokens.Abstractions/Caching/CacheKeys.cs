using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ApiTokens.Caching;

// Job: turn a presented secret into the cache's key, without ever keeping the secret.
//
// Keys are 128 bits of BLAKE3(process key ‖ secret), where the 256-bit process key comes from
// RandomNumberGenerator at start-up. Why this is safe:
// - The cache never holds a secret: a heap dump shows keys, and BLAKE3 is one-way, so no key can be
//   turned back into a secret (256 random bits; UUID secrets 122).
// - A cache hit authenticates on the key alone, so a forged credential would need another
//   well-formed secret with the same key: a second-preimage attack on BLAKE3 (still infeasible if a
//   dump reveals the process key), or, without the process key, blind guessing of a 128-bit value.
// - BLAKE3 is not open to length extension, so prefixing the key makes a sound keyed hash.
// - 128 bits make an accidental collision (two live secrets, one entry) a 2^-64 event at 2^32 tokens.
// Why not SHA-256 (which the store uses): on the 2-core build machine it costs ≈ 0.40 µs per call
// through OpenSSL; one-shot BLAKE3 on the same input ≈ 0.10 µs with no allocation (benchmarks/).
internal sealed class CacheKeys
{
    public const int MaxSecretLength = ApiTokens.Secrets.ApiTokenSecretCodec.MaxImportedLength;
    private const int KeyLength = 32;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(KeyLength);

    // key ‖ ASCII of the secret, hashed in one shot on the stack. Every valid secret is ASCII, so a
    // non-ASCII value has no key (it cannot be anyone's secret) and the caller refuses it.
    public bool TryCompute(ReadOnlySpan<char> secret, out UInt128 key)
    {
        key = default;
        if (secret.Length > MaxSecretLength || !System.Text.Ascii.IsValid(secret))
        {
            return false;
        }

        Span<byte> input = stackalloc byte[KeyLength + MaxSecretLength];
        _key.CopyTo(input);
        System.Text.Ascii.FromUtf16(secret, input[KeyLength..], out var written);
        Span<byte> hash = stackalloc byte[32];
        Blake3.Hasher.Hash(input[..(KeyLength + written)], hash);
        input.Clear();
        key = MemoryMarshal.Read<UInt128>(hash);
        return true;
    }
}

// A key as MemoryCache holds it. MemoryCache keys are objects, so a UInt128 would be boxed by every
// lookup: a lookup fills its thread's probe instead (Probe), and a stored entry gets a key of its own.
internal sealed class CacheKey : IEquatable<CacheKey>
{
    // TryGetValue only compares the probe and keeps no reference, and nothing awaits between filling
    // and using it.
    [ThreadStatic]
    private static CacheKey? s_probe;

    public UInt128 Value { get; set; }

    public static CacheKey Probe(UInt128 value)
    {
        var probe = s_probe ??= new CacheKey();
        probe.Value = value;
        return probe;
    }

    public bool Equals(CacheKey? other) => other is not null && other.Value == Value;

    public override bool Equals(object? obj) => Equals(obj as CacheKey);

    // The value is already a uniformly distributed hash.
    public override int GetHashCode() => (int)(ulong)Value;
}
