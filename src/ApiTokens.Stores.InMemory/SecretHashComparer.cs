using System.Buffers.Binary;

namespace ApiTokens.Stores.InMemory;

// Secret hashes are SHA-256 outputs: uniformly distributed, so their first bytes are a fine hash code.
// The alternate lookup lets FindActiveBySecretHashAsync probe with a span, without copying to an array.
internal sealed class SecretHashComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly SecretHashComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y)
        => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
        => alternate.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(alternate) : alternate.Length;

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
