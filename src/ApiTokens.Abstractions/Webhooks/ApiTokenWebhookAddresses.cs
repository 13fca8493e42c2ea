using System.Net;
using System.Net.Sockets;

namespace ApiTokens.Webhooks;

/// <summary>
/// Where a webhook may not go unless <see cref="ApiTokenWebhookOptions.AllowPrivateNetworks"/> is set
/// (R37): the service's own machine and network. Every address a URL's host resolves to is judged, at
/// registration and at every send.
/// </summary>
public static class ApiTokenWebhookAddresses
{
    /// <summary>
    /// Whether an address is loopback, private, shared (100.64/10), link-local, unique-local,
    /// unspecified, multicast or reserved. An IPv6 address that carries an IPv4 one (mapped,
    /// compatible, NAT64) is judged as the IPv4 address it carries.
    /// </summary>
    /// <param name="address">A resolved address.</param>
    /// <returns><see langword="true"/> when a webhook may not be sent there.</returns>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsForbidden(address.MapToIPv4());
            }

            Span<byte> v6 = stackalloc byte[16];
            address.TryWriteBytes(v6, out _);

            // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
            if (v6[..12].IndexOfAnyExcept((byte)0) < 0 || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..12].IndexOfAnyExcept((byte)0) < 0))
            {
                return IsForbidden(new IPAddress(v6[12..]));
            }

            return IPAddress.IsLoopback(address)
                || address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || (v6[0] & 0xfe) == 0xfc; // unique-local fc00::/7
        }

        Span<byte> v4 = stackalloc byte[4];
        address.TryWriteBytes(v4, out _);
        return v4[0] switch
        {
            0 => true,                                  // "this network"
            10 => true,                                 // private
            100 => (v4[1] & 0xc0) == 64,                // shared address space 100.64/10
            127 => true,                                // loopback
            169 => v4[1] == 254,                        // link-local
            172 => (v4[1] & 0xf0) == 16,                // private 172.16/12
            192 => v4[1] == 168 || (v4[1] == 0 && v4[2] == 0), // private 192.168/16, IETF 192.0.0/24
            198 => (v4[1] & 0xfe) == 18,                // benchmarking 198.18/15
            >= 224 => true,                             // multicast, reserved, broadcast
            _ => false,
        };
    }
}
