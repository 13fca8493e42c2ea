using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiTokens.AspNetCore.Authentication;

// The default R27 client key: the remote IP address. IPv4 (and IPv4-mapped IPv6) by address, whose
// string IPAddress caches, so a connection's requests share one string (no allocation per request); IPv6 by its /64 prefix,
// since one host usually holds a whole /64 and could otherwise rotate addresses past any limit.
internal static class ClientKeys
{
    public static string? RemoteIpAddress(HttpContext context)
        // The feature, not HttpContext.Connection, which allocates a ConnectionInfo wrapper per request
        // where a host has none cached. The forwarded-headers middleware writes the same feature.
        => ForAddress(context.Features.Get<IHttpConnectionFeature>()?.RemoteIpAddress);

    // The same key for an address known otherwise (a trusted proxy's forwarded client, R41).
    public static string? ForAddress(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || address.IsIPv4MappedToIPv6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out _))
        {
            return address.ToString();
        }

        return string.Create(null, stackalloc char[24], $"{BinaryPrimitives.ReadUInt64BigEndian(bytes):x16}/64");
    }
}
