using System.Net;
using System.Net.Sockets;
using ApiTokens.Webhooks;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Webhooks;

// R37, no server-side request forgery: the sender's connections. Every address the URL's host resolves
// to is checked when a connection opens — at every send that needs one, whatever the endpoint looked
// like when it was registered (a name may resolve elsewhere by now) — and the socket connects to the
// addresses checked, never to a name resolved again. Redirects are not followed and no proxy is used.
internal static class WebhookConnections
{
    public static SocketsHttpHandler CreateHandler(IOptionsMonitor<ApiTokenWebhookOptions> options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, options.CurrentValue.AllowPrivateNetworks, cancellationToken),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new HttpRequestException($"The webhook host {endpoint.Host} resolves to no address.");
        }

        if (!allowPrivate && addresses.Any(ApiTokenWebhookAddresses.IsForbidden))
        {
            throw new WebhookAddressRefusedException(endpoint.Host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

// A send refused because the host resolves into the service's own network.
internal sealed class WebhookAddressRefusedException(string host)
    : HttpRequestException($"The webhook host {host} resolves to a private, loopback, link-local or unique-local address; nothing was sent.");
