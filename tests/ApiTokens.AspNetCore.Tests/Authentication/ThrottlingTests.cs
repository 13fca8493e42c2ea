using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace ApiTokens.AspNetCore.Tests.Authentication;

// R27 over HTTP: 429 TooManyRequests.AuthFailures with Retry-After, per remote address, never by
// X-Forwarded-For unless the host's forwarded-headers middleware says so.
[TestClass]
[TestCategory("R27")]
public sealed class ThrottlingTests
{
    private const int Limit = 5;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FloodOfBadSecrets_429WithoutStoreIo_WhileTheClientsTokenInUseAndOtherClientsWork()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.FailureLimit = Limit, wrapStore: s => store.Wrap(s), beforeAuthentication: SimulatePeer);
        var inUse = await host.CreateTokenAsync(ApiHost.Bob);
        var other = await host.CreateTokenAsync(ApiHost.Bob);
        for (var i = 0; i < 2; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "203.0.113.7", inUse.Secret)).StatusCode);
        }

        for (var i = 0; i < Limit; i++)
        {
            await ApiHost.ProblemAsync(await SendAsync(host, "203.0.113.7", Guess(host)), 401, ApiTokenFailureCodes.BadToken);
        }

        store.Reset();
        host.Time.Advance(TimeSpan.FromSeconds(15));

        var throttled = await SendAsync(host, "203.0.113.7", Guess(host));

        await ApiHost.ProblemAsync(throttled, 429, ApiTokenFailureCodes.AuthFailures);
        Assert.AreEqual("45", throttled.Headers.GetValues("Retry-After").Single(), "until the client's window passes");
        Assert.AreEqual(0, store.Calls, "no store I/O for a throttled client");
        await ApiHost.ProblemAsync(await SendAsync(host, "203.0.113.7", other.Secret), 429, ApiTokenFailureCodes.AuthFailures);
        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "203.0.113.7", inUse.Secret)).StatusCode, "a token in use keeps working");
        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "198.51.100.1", other.Secret)).StatusCode, "another client is not affected");

        host.Time.Advance(TimeSpan.FromSeconds(45));
        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "203.0.113.7", other.Secret)).StatusCode, "the window passed");
    }

    [TestMethod]
    public async Task XForwardedFor_IsNotTrustedByTheScheme()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.FailureLimit = Limit, beforeAuthentication: SimulatePeer);
        for (var i = 0; i < Limit; i++)
        {
            await SendAsync(host, "203.0.113.7", Guess(host), forwardedFor: $"192.0.2.{i}");
        }

        await ApiHost.ProblemAsync(await SendAsync(host, "203.0.113.7", Guess(host), forwardedFor: "192.0.2.200"), 429, ApiTokenFailureCodes.AuthFailures);
    }

    [TestMethod]
    public async Task XForwardedFor_FromAKnownProxy_ThroughTheForwardedHeadersMiddleware_NamesTheClient()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.FailureLimit = Limit, beforeAuthentication: app =>
        {
            SimulatePeer(app);
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
            forwarded.KnownProxies.Add(IPAddress.Parse("10.0.0.2"));
            app.UseForwardedHeaders(forwarded);
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        for (var i = 0; i < Limit; i++)
        {
            await SendAsync(host, "10.0.0.2", Guess(host), forwardedFor: "192.0.2.1");
        }

        await ApiHost.ProblemAsync(await SendAsync(host, "10.0.0.2", Guess(host), forwardedFor: "192.0.2.1"), 429, ApiTokenFailureCodes.AuthFailures);
        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "10.0.0.2", token.Secret, forwardedFor: "192.0.2.2")).StatusCode, "another client behind the same proxy");
    }

    [TestMethod]
    public async Task Ipv6_CountedByTheSlash64()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.FailureLimit = Limit, beforeAuthentication: SimulatePeer);
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        for (var i = 0; i < Limit; i++)
        {
            await SendAsync(host, $"2001:db8:1:2::{i + 1:x}", Guess(host));
        }

        await ApiHost.ProblemAsync(await SendAsync(host, "2001:db8:1:2:ffff::9", token.Secret), 429, ApiTokenFailureCodes.AuthFailures);
        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "2001:db8:1:3::1", token.Secret)).StatusCode, "another /64");
    }

    [TestMethod]
    public async Task ClientKey_Configurable_NullTurnsItOff()
    {
        await using var host = await ApiHost.StartAsync(o => o.ClientKey = null, core: o => o.FailureLimit = Limit, beforeAuthentication: SimulatePeer);
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        for (var i = 0; i < Limit * 2; i++)
        {
            await SendAsync(host, "203.0.113.7", Guess(host));
        }

        Assert.AreEqual(HttpStatusCode.OK, (await SendAsync(host, "203.0.113.7", token.Secret)).StatusCode);
    }

    private static string Guess(ApiHost host) => host.Secrets.Generate();

    // TestServer has no socket: the test names the peer address the way a connection would.
    private static void SimulatePeer(WebApplication app) => app.Use((context, next) =>
    {
        context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Peer"].ToString());
        return next(context);
    });

    private Task<HttpResponseMessage> SendAsync(ApiHost host, string peer, string secret, string? forwardedFor = null)
    {
        var request = ApiHost.Request(HttpMethod.Get, "/read", secret);
        request.Headers.Add("X-Test-Peer", peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return host.Client.SendAsync(request, TestContext.CancellationToken);
    }
}
