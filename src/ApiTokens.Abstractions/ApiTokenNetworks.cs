using System.Net;
using System.Net.Sockets;

namespace ApiTokens;

/// <summary>
/// Allowed networks (R33): parsing and normalizing what people write, and the check a cached token
/// makes on every request — no allocation, no store I/O.
/// </summary>
public static class ApiTokenNetworks
{
    /// <summary>The most ranges one token may carry.</summary>
    public const int MaxNetworks = 32;

    /// <summary>
    /// Parses ranges as people write them: CIDR (<c>203.0.113.0/24</c>, <c>2001:db8::/32</c>) or a
    /// bare address (one address: /32 or /128). Host bits are cleared (<c>10.1.2.3/8</c> is
    /// <c>10.0.0.0/8</c>); an IPv4-mapped IPv6 range becomes its IPv4 form. Duplicates are dropped.
    /// </summary>
    /// <param name="ranges">The ranges.</param>
    /// <param name="normalized">The ranges in their normalized form, in order.</param>
    /// <param name="invalid">The first range that is not valid, for the error message.</param>
    /// <returns><see langword="false"/> for a malformed range, a prefix longer than the address, or more than <see cref="MaxNetworks"/>.</returns>
    public static bool TryNormalize(IReadOnlyList<string>? ranges, out string[] normalized, out string? invalid)
    {
        normalized = [];
        invalid = null;
        if (ranges is null || ranges.Count == 0)
        {
            return true;
        }

        if (ranges.Count > MaxNetworks)
        {
            invalid = $"{ranges.Count} ranges";
            return false;
        }

        var result = new List<string>(ranges.Count);
        foreach (var range in ranges)
        {
            if (!TryParse(range, out var network))
            {
                invalid = range;
                return false;
            }

            var text = network.ToString();
            if (!result.Contains(text, StringComparer.Ordinal))
            {
                result.Add(text);
            }
        }

        normalized = [.. result];
        return true;
    }

    /// <summary>Parses one range as <see cref="TryNormalize"/> does.</summary>
    /// <param name="range">The range.</param>
    /// <param name="network">The network.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool TryParse(string? range, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(range) || range.Length > 64)
        {
            return false;
        }

        var text = range.AsSpan().Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        // IPAddress.TryParse accepts "1" or "1.2" as IPv4 shorthands, and reads parts the way inet_aton
        // does — "010" as octal 8, "0x10" as hex 16: a range names all four parts in plain decimal,
        // or it would be stored as another network than the one its author read.
        if ((address.AddressFamily == AddressFamily.InterNetwork && addressText.Count('.') != 3) || !IsPlainDottedDecimal(addressText))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
            bits = 32;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    // The dotted IPv4 part of an address (all of it, or the tail of an IPv6 form like ::ffff:1.2.3.4)
    // is four decimal numbers without leading zeros; an address without one passes.
    private static bool IsPlainDottedDecimal(ReadOnlySpan<char> address)
    {
        var dotted = address[(address.LastIndexOf(':') + 1)..];
        if (!dotted.Contains('.'))
        {
            return true;
        }

        foreach (var part in dotted.Split('.'))
        {
            var digits = dotted[part];
            if (digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0') || digits.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }
        }

        return true;
    }

    // The form a cached entry keeps (parsed once, when the entry is built); null when unrestricted.
    internal static CompiledNetwork[]? Compile(IReadOnlyList<string> networks)
    {
        if (networks.Count == 0)
        {
            return null;
        }

        var compiled = new List<CompiledNetwork>(networks.Count);
        foreach (var range in networks)
        {
            // Stored ranges were normalized when set; one that no longer parses allows nothing.
            if (TryParse(range, out var network))
            {
                compiled.Add(CompiledNetwork.From(network));
            }
        }

        return [.. compiled];
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}

// A network as two 128-bit numbers, so a request's address is checked without allocating: IPv4
// addresses (and IPv4-mapped IPv6 ones) are compared in the IPv4 space, IPv6 in their own.
internal readonly struct CompiledNetwork
{
    private readonly UInt128 _prefix;
    private readonly UInt128 _mask;
    private readonly bool _v4;

    private CompiledNetwork(UInt128 prefix, UInt128 mask, bool v4)
    {
        _prefix = prefix;
        _mask = mask;
        _v4 = v4;
    }

    public static CompiledNetwork From(IPNetwork network)
    {
        var v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var bits = v4 ? 32 : 128;
        var mask = network.PrefixLength == 0 ? UInt128.Zero : (UInt128.MaxValue << (bits - network.PrefixLength)) & (v4 ? (UInt128)uint.MaxValue : UInt128.MaxValue);
        _ = Read(network.BaseAddress, out var value, out _);
        return new CompiledNetwork(value & mask, mask, v4);
    }

    public static bool Contains(ReadOnlySpan<CompiledNetwork> networks, IPAddress? address)
    {
        if (address is null || !Read(address, out var value, out var v4))
        {
            return false;
        }

        foreach (var network in networks)
        {
            if (network._v4 == v4 && (value & network._mask) == network._prefix)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Read(IPAddress address, out UInt128 value, out bool v4)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            value = default;
            v4 = false;
            return false;
        }

        if (length == 4)
        {
            v4 = true;
            value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            v4 = true;
            value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
            return true;
        }

        v4 = false;
        value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }
}
