using System.Net;
using ApiTokens.RateLimiting.Redis.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Sample.Tests.Api;

// R34 across instances: two sample nodes on one PostgreSQL database and one Redis (--redis) give a
// 100-per-minute token 100 requests, not 200; with Redis stopped mid-run both keep serving, each
// counting on its own (never unlimited, never a 5xx), and /healthz says Degraded.
[TestClass]
[TestCategory("R34")]
public sealed class SharedRateLimitTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TwoNodesOnOneRedis_AHundredPerMinuteTokenGetsAHundred_RedisStopped_EachCountsOnItsOwn()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var database = await SampleDatabase.CreateAsync("postgres", TestContext.CancellationToken);
        string[] args = [.. database.Args, "--redis", redis.Configuration];
        // The 50 ms default budget is for production latency; on a loaded 2-core CI machine a Redis round
        // trip can exceed it, and a node then counts on its own by design (the fallback below) — which
        // would serve more than 100. A budget no healthy round trip here exceeds keeps the count shared.
        static void Budget(WebApplicationBuilder builder) => builder.Services.Configure<ApiTokens.RateLimiting.Redis.RedisRateLimitOptions>(o => o.Budget = TimeSpan.FromSeconds(2));
        await using var a = await SampleServer.StartAsync(Budget, args);
        await using var b = await SampleServer.StartAsync(Budget, args);
        using var alice = await a.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow", rateLimit = new { limit = 100, windowSeconds = 60 } });
        var secret = token.GetProperty("secret").GetString()!;
        using var apiA = a.CreateClient();
        using var apiB = b.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            var (node, api) = i % 2 == 0 ? (a, apiA) : (b, apiB);
            statuses.Add((await api.SendAsync(node.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);
        }

        var report = $"R34 with two nodes on one Redis: {statuses.Count(s => s == HttpStatusCode.OK)} of 200 requests served for a 100-per-minute token";
        TestContext.WriteLine(report);
        Assert.AreEqual(100, statuses.Count(s => s == HttpStatusCode.OK), report);
        Assert.AreEqual(100, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.AreEqual("Healthy", await (await apiA.GetAsync("/healthz", TestContext.CancellationToken)).Content.ReadAsStringAsync(TestContext.CancellationToken));

        // Redis stops: a fresh token (each node's own count of it starts at zero) keeps being
        // served up to its limit on each node, and no request fails.
        await redis.StopAsync();
        var second = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "allow", rateLimit = new { limit = 5, windowSeconds = 60 } });
        var after = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            var (node, api) = i % 2 == 0 ? (a, apiA) : (b, apiB);
            after.Add((await api.SendAsync(node.ApiRequest(HttpMethod.Get, "/v2/user/current", second.GetProperty("secret").GetString()!), TestContext.CancellationToken)).StatusCode);
        }

        Assert.IsTrue(after.All(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests), string.Join(",", after));
        Assert.AreEqual(10, after.Count(s => s == HttpStatusCode.OK), "each node counts 5 on its own: never unlimited");
        var health = await apiA.GetAsync("/healthz", TestContext.CancellationToken);
        Assert.AreEqual("Degraded", await health.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }
}
