using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// R33 and R34 from outside, through the sample on Kestrel (requests come from 127.0.0.1): ranges
// that hold the caller and ranges that do not, clearing, malformed ranges, a 5-per-minute token's
// sixth request, other tokens unaffected, limits removed at once; and settings the management API
// does not know are refused, not dropped.
[TestClass]
public sealed class NetworkAndRateLimitApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R33")]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task AllowedNetworks_HoldingTheCaller200_Otherwise403_ClearedAtOnce(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, database.Args);
        using var alice = await server.SignInAsync("alice");
        using var api = server.CreateClient();

        var inside = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow", allowedNetworks = new[] { "127.0.0.0/8", "::1" } });
        var outside = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow", allowedNetworks = new[] { "203.0.113.0/24" } });
        CollectionAssert.AreEqual(new[] { "127.0.0.0/8", "::1/128" }, inside.GetProperty("allowedNetworks").EnumerateArray().Select(e => e.GetString()).ToArray());

        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, inside));
        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", Secret(outside)), TestContext.CancellationToken), 403, "Forbidden.Network");

        var id = outside.GetProperty("id").GetString();
        var cleared = await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { allowedNetworks = (string[]?)null }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, cleared.StatusCode, await cleared.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual(0, (await cleared.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("allowedNetworks").GetArrayLength());
        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, outside), "cleared: any address");

        // The refusal's record is written off the request path: read until it is there (bounded).
        JsonElement[]? events = null;
        for (var attempt = 0; attempt < 100 && events?.Any(e => e.GetProperty("action").GetString() == "request.network_refused") != true; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(50, TestContext.CancellationToken);
            }

            events = await alice.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{id}/events", TestContext.CancellationToken);
        }

        Assert.IsTrue(events!.Any(e => e.GetProperty("action").GetString() == "request.network_refused"
            && e.GetProperty("details").GetProperty("address").GetProperty("new").GetString() is "127.0.0.1" or "::1"), "the owner sees where it was blocked from");
        Assert.IsTrue(events!.Any(e => e.GetProperty("action").GetString() == "token.updated" && e.GetProperty("details").TryGetProperty("allowedNetworks", out _)));
    }

    [TestMethod]
    [TestCategory("R33")]
    public async Task MalformedRanges_400InvalidNetwork_AndNothingChanges()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", allowedNetworks = new[] { "10.0.0.0/8" } });
        var id = token.GetProperty("id").GetString();
        var before = (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Length;

        // Leading zeros and hex parts are refused: IPAddress reads "010" as octal 8 and "0x0a" as 10, so
        // the stored network would not be the one its author read.
        string[][] malformed =
        [
            ["10.0.0.0/33"], ["2001:db8::/200"], ["nonsense"], [.. Enumerable.Range(0, 33).Select(i => $"10.{i}.0.0/16")],
            ["010.000.000.000/8"], ["10.0.0.010"], ["0x0a.0.0.0/8"], ["::ffff:010.0.0.1/128"],
        ];
        foreach (var ranges in malformed)
        {
            await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens", new { type = "user", allowedNetworks = ranges }, TestContext.CancellationToken), 400, "InvalidNetwork");
            await SampleServer.ProblemAsync(await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { allowedNetworks = ranges }, TestContext.CancellationToken), 400, "InvalidNetwork");
        }

        Assert.AreEqual(before, (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Length);
        var after = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", TestContext.CancellationToken);
        Assert.AreEqual("10.0.0.0/8", after.GetProperty("allowedNetworks")[0].GetString());
        Assert.AreEqual(1, after.GetProperty("version").GetInt64());
    }

    [TestMethod]
    [TestCategory("R34")]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    public async Task FivePerMinute_TheSixthIs429WithRetryAfterAndRateLimitHeaders_OthersUnaffected_RemovedAtOnce(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, database.Args);
        using var alice = await server.SignInAsync("alice");
        using var api = server.CreateClient();
        var limited = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow", rateLimit = new { limit = 5, windowSeconds = 60 } });
        var other = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow" });
        Assert.AreEqual(5, limited.GetProperty("rateLimit").GetProperty("limit").GetInt32());

        for (var i = 0; i < 5; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, limited), $"request {i + 1}");
        }

        var sixth = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", Secret(limited)), TestContext.CancellationToken);
        await SampleServer.ProblemAsync(sixth, 429, "TooManyRequests.RateLimit");
        Assert.IsTrue(sixth.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 });
        Assert.AreEqual("\"token\";q=5;w=60", sixth.Headers.GetValues("RateLimit-Policy").Single());
        StringAssert.StartsWith(sixth.Headers.GetValues("RateLimit").Single(), "\"token\";r=0;t=");
        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, other), "other tokens are unaffected");

        var removed = await alice.PatchAsJsonAsync($"/api/tokens/{limited.GetProperty("id").GetString()}", new { rateLimit = (object?)null }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, removed.StatusCode);
        Assert.AreEqual(JsonValueKind.Null, (await removed.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("rateLimit").ValueKind);
        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, limited), "removed at once");

        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens", new { type = "user", rateLimit = new { limit = 0, windowSeconds = 60 } }, TestContext.CancellationToken), 400, "InvalidRateLimit");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens", new { type = "user", rateLimit = new { limit = 5, windowSeconds = 3601 } }, TestContext.CancellationToken), 400, "InvalidRateLimit");
    }

    [TestMethod]
    public async Task UnknownPropertiesInManagementBodies_400NamingThem_NothingChanges()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "user" });
        var id = token.GetProperty("id").GetString();
        var before = (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Length;

        var create = await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens", new { type = "user", allowedNetwork = new[] { "10.0.0.0/8" } }, TestContext.CancellationToken), 400, "InvalidRequest");
        StringAssert.Contains(create.GetProperty("detail").GetString(), "'allowedNetwork'");
        var nested = await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens", new { type = "user", rateLimit = new { limit = 5, window = 60 } }, TestContext.CancellationToken), 400, "InvalidRequest");
        StringAssert.Contains(nested.GetProperty("detail").GetString(), "'rateLimit.window'");
        await SampleServer.ProblemAsync(await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { ratelimits = 5 }, TestContext.CancellationToken), 400, "InvalidRequest");
        await SampleServer.ProblemAsync(await alice.PutAsJsonAsync($"/api/tokens/{id}/apps/ci", new { state = "allow", note = "x" }, TestContext.CancellationToken), 400, "InvalidRequest");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriod = 60 }, TestContext.CancellationToken), 400, "InvalidRequest");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = Guid.NewGuid().ToString(), type = "user", owner = "bob" }, TestContext.CancellationToken), 400, "InvalidRequest");

        Assert.AreEqual(before, (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Length);
        Assert.AreEqual(1, (await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", TestContext.CancellationToken)).GetProperty("version").GetInt64());
    }

    private async Task<HttpStatusCode> UseAsync(SampleServer server, HttpClient api, JsonElement token)
        => (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", Secret(token)), TestContext.CancellationToken)).StatusCode;

    private static string Secret(JsonElement token) => token.GetProperty("secret").GetString()!;
}
