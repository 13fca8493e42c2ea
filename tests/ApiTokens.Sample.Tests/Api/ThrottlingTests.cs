using System.Net;

namespace ApiTokens.Sample.Tests.Api;

// R27 against the real sample on Kestrel: one client floods bad secrets; it gets 429 without the
// store being asked, while a token it already uses keeps working. A server of its own, so the
// flood from 127.0.0.1 does not throttle the other test classes.
[TestClass]
[TestCategory("R27")]
public sealed class ThrottlingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FloodOfBadSecrets_429WithRetryAfter_TokenInUseKeepsWorking()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var secret = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);
        }

        var statuses = new List<int>();
        for (var i = 0; i < 120; i++)
        {
            var guess = "apt_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            statuses.Add((int)(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", guess), TestContext.CancellationToken)).StatusCode);
        }

        Assert.IsTrue(statuses.Take(100).All(s => s == 401), "the first FailureLimit failures are answered as usual");
        Assert.IsTrue(statuses.Skip(100).All(s => s == 429), string.Join(",", statuses.Skip(100)));
        var throttled = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", "apt_nope"), TestContext.CancellationToken);
        var body = await SampleServer.ProblemAsync(throttled, 429, "TooManyRequests.AuthFailures");
        Assert.IsTrue(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.IsFalse(body.GetRawText().Contains("apt_nope", StringComparison.Ordinal), "no secret echoed");

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode, "the token in use keeps working");
        var page = await alice.GetAsync("/api/tokens", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode, "signed-in members are not affected");
    }

    // A token used once, then a flood: the first use recorded the app and must leave the token cached
    // (not drop it), so the throttled client keeps its token on every store (R27).
    [TestMethod]
    [TestCategory("R8")]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task TokenUsedOnce_ThenAFloodOfBadSecrets_TheTokenKeepsWorking(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, database.Args);
        using var alice = await server.SignInAsync("alice");
        var secret = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);

        var last = 0;
        for (var i = 0; i < 130; i++)
        {
            var guess = "apt_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            last = (int)(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", guess), TestContext.CancellationToken)).StatusCode;
        }

        Assert.AreEqual(429, last, "the client is throttled");
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode, "the token used once keeps working");
    }
}
