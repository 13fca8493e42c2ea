using ApiTokens.Management;
using ApiTokens.Stores.InMemory;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace ApiTokens.RateLimiting.Redis.Tests;

// R34 across nodes: two nodes (two service providers, each its own validator and cache) on one
// store and one throwaway Redis share a token's limit; with Redis stopped or asleep each node counts
// on its own at once — limited, never failing — and the health check says Degraded.
[TestClass]
[TestCategory("R34")]
public sealed class RedisRateLimitTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TwoNodesOnOneRedis_AHundredPerMinuteTokenGetsAHundred_NotTwoHundred()
    {
        await using var redis = await RedisServer.StartAsync();
        var store = new InMemoryApiTokenStore();
        using var a = Node(store, redis.Configuration);
        using var b = Node(store, redis.Configuration);
        var secret = await CreateAsync(a, new ApiTokenRateLimit(100, 60));

        var results = new List<ApiTokenValidationStatus>();
        for (var i = 0; i < 200; i++)
        {
            var node = i % 2 == 0 ? a : b;
            results.Add((await node.GetRequiredService<ApiTokenValidator>().ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);
        }

        Assert.AreEqual(100, results.Count(s => s == ApiTokenValidationStatus.Success));
        Assert.AreEqual(100, results.Count(s => s == ApiTokenValidationStatus.RateLimited));
        Assert.AreEqual(HealthStatus.Healthy, (await HealthAsync(a)).Status);
    }

    [TestMethod]
    public async Task RedisStoppedMidRun_EachNodeCountsOnItsOwnAtOnce_NeverUnlimited_DegradedAndLoggedOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        var store = new InMemoryApiTokenStore();
        using var a = Node(store, redis.Configuration);
        var secret = await CreateAsync(a, new ApiTokenRateLimit(10, 60));
        var validator = a.GetRequiredService<ApiTokenValidator>();
        for (var i = 0; i < 4; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);
        }

        await redis.StopAsync();
        var results = new List<ApiTokenValidationStatus>();
        for (var i = 0; i < 20; i++)
        {
            results.Add((await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);
        }

        Assert.AreEqual(6, results.Count(s => s == ApiTokenValidationStatus.Success), "the node goes on from its own count: 4 + 6 = 10");
        Assert.IsTrue(results.All(s => s is ApiTokenValidationStatus.Success or ApiTokenValidationStatus.RateLimited), "never a failure");
        Assert.AreEqual(HealthStatus.Degraded, (await HealthAsync(a)).Status);
        Assert.AreEqual(1, a.GetFakeLogCollector().GetSnapshot().Count(r => r.Id.Id == 60), "logged once");
    }

    [TestMethod]
    public async Task ASlowRedis_CostsARequestAtMostTheBudget_ThenTheNodeCountsOnItsOwn()
    {
        await using var redis = await RedisServer.StartAsync();
        var store = new InMemoryApiTokenStore();
        using var a = Node(store, redis.Configuration, TimeSpan.FromMilliseconds(100));
        var secret = await CreateAsync(a, new ApiTokenRateLimit(3, 60));
        var validator = a.GetRequiredService<ApiTokenValidator>();
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);

        await redis.SleepAsync(TimeSpan.FromSeconds(3));
        var slow = System.Diagnostics.Stopwatch.StartNew();
        var during = await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken);
        slow.Stop();

        Assert.AreEqual(ApiTokenValidationStatus.Success, during.Status, "served within the budget, counted locally");
        Assert.IsLessThan(TimeSpan.FromSeconds(2), slow.Elapsed, "the request did not wait for the sleeping Redis");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.RateLimited, (await validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status, "still limited: 3 per minute");
    }

    private static ServiceProvider Node(InMemoryApiTokenStore store, string redis, TimeSpan? budget = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging());
        services.AddApiTokens()
            .AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin))
            .AddRedisRateLimits(redis, o => o.Budget = budget ?? TimeSpan.FromMilliseconds(500));
        services.AddSingleton<ApiTokens.Stores.IApiTokenStore>(store);
        return services.BuildServiceProvider();
    }

    private async Task<string> CreateAsync(ServiceProvider node, ApiTokenRateLimit limit)
    {
        using var scope = node.CreateScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(
            new ApiTokenActor("acme", "alice"),
            new CreateApiTokenRequest { Type = TokenType.User, DefaultAppState = AppState.Allow, RateLimit = limit },
            TestContext.CancellationToken);
        Assert.IsTrue(created.Succeeded, created.ToString());
        return created.Value!.Secret;
    }

    private static Task<HealthReport> HealthAsync(ServiceProvider node) => node.GetRequiredService<HealthCheckService>().CheckHealthAsync();
}
