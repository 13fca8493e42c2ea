using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// R35 from outside, through the sample on Kestrel, on every store: requests of each outcome are
// counted and read back per app and day; visibility (R5) and bad ?days answers; counts survive the
// flush into the database.
[TestClass]
[TestCategory("R35")]
public sealed class UsageApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task EachOutcome_IsCountedAndReadBack_VisibilityAndBadDaysAnswered(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, [.. database.Args, "--ApiTokens:LastUsedGranularity", "00:00:00.200"]);
        using var bob = await server.SignInAsync("bob");
        using var carol = await server.SignInAsync("carol");
        var token = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "pending", rateLimit = new { limit = 8, windowSeconds = 3600 } });
        var id = token.GetProperty("id").GetString()!;
        var secret = token.GetProperty("secret").GetString()!;
        Assert.AreEqual(HttpStatusCode.OK, (await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/terraform", new { state = "allow" }, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/scraper", new { state = "deny" }, TestContext.CancellationToken)).StatusCode);
        using var api = server.CreateClient();

        var expected = new (string App, HttpStatusCode Status)[]
        {
            ("terraform", HttpStatusCode.OK), ("terraform", HttpStatusCode.OK), ("terraform", HttpStatusCode.OK),
            ("scraper", HttpStatusCode.Forbidden), ("scraper", HttpStatusCode.Forbidden),
            ("new-tool", HttpStatusCode.Unauthorized), ("new-tool", HttpStatusCode.Unauthorized), ("new-tool", HttpStatusCode.Unauthorized),
            ("terraform", HttpStatusCode.TooManyRequests), ("scraper", HttpStatusCode.TooManyRequests),
        };
        var before = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);   // the UTC day (a run across midnight may see two)
        foreach (var (app, status) in expected)
        {
            Assert.AreEqual(status, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, app), TestContext.CancellationToken)).StatusCode, app);
        }

        // Some counts are in the store already (flushed every 200 ms here), the rest in this node's
        // memory: the answer combines both, whenever it is asked.
        var usage = await bob.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{id}/usage?days=7", TestContext.CancellationToken);
        var after = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        Assert.AreEqual((3L, 0L, 0L, 1L), Row(usage!, "terraform"));
        Assert.AreEqual((0L, 0L, 2L, 1L), Row(usage!, "scraper"));
        Assert.AreEqual((0L, 3L, 0L, 0L), Row(usage!, "new-tool"));
        Assert.IsTrue(usage!.All(u => u.GetProperty("day").GetString() is { } day && (day == before || day == after)), string.Join(",", usage!.Select(u => u.GetRawText())));
        Assert.AreEqual(HttpStatusCode.OK, (await bob.GetAsync($"/api/tokens/{id}/usage", TestContext.CancellationToken)).StatusCode, "30 days by default");

        await SampleServer.ProblemAsync(await carol.GetAsync($"/api/tokens/{id}/usage", TestContext.CancellationToken), 404, "TokenNotFound");
        foreach (var days in new[] { "0", "91", "-1", "abc", "7&days=8" })
        {
            await SampleServer.ProblemAsync(await bob.GetAsync($"/api/tokens/{id}/usage?days={days}", TestContext.CancellationToken), 400, "InvalidRequest");
        }
    }

    private static (long, long, long, long) Row(JsonElement[] usage, string app)
    {
        var rows = usage.Where(u => u.GetProperty("app").GetString() == app).ToArray();
        return (rows.Sum(r => r.GetProperty("allowed").GetInt64()), rows.Sum(r => r.GetProperty("pending").GetInt64()), rows.Sum(r => r.GetProperty("denied").GetInt64()), rows.Sum(r => r.GetProperty("limited").GetInt64()));
    }
}
