using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// Races between "nodes": separate service providers, each with its own store and connection pool,
// on one real PostgreSQL database.
[TestClass]
[TestCategory("R19")]
public sealed class PostgresRaceTests
{
    private static readonly ApiTokenActor s_alice = new("acme", "alice");
    private static readonly ApiTokenActor s_bob = new("acme", "bob");

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FirstUse_50ConcurrentContextsOnTwoNodes_RecordedOnce_AllSeeOneState()
    {
        var database = await Databases.NewPostgresDatabaseAsync();
        await using var nodeA = Node(database);
        await using var nodeB = Node(database);
        var token = await CreateAsync(nodeA, s_bob, AppState.Pending);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait(TestContext.CancellationToken);
            await using var scope = (i % 2 == 0 ? nodeA : nodeB).CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ApiTokenValidator>().ValidateAsync(token.Secret, "stampede", TestContext.CancellationToken);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        var stored = await nodeB.GetRequiredService<IApiTokenStore>().FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        Assert.HasCount(1, stored!.Apps);
        Assert.AreEqual(2, stored.Version, "exactly one write recorded the app");
        Assert.IsTrue(results.All(r => r.Status == ApiTokenValidationStatus.PendingApp));
        await using var context = new TestDbContext(Databases.Postgres(database));
        Assert.AreEqual(1, await context.Set<ApiTokenAppEntity>().CountAsync(a => a.TokenId == token.Details.Token.Id, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task PrivilegeChangeRacingRetire_OnTwoNodes_NeverResurrectsTheToken()
    {
        var database = await Databases.NewPostgresDatabaseAsync();
        await using var nodeA = Node(database);
        await using var nodeB = Node(database);
        var conflicts = 0;

        for (var round = 0; round < 20; round++)
        {
            var token = await CreateAsync(nodeA, s_bob, AppState.Allow);
            var id = token.Details.Token.Id;
            using var start = new ManualResetEventSlim();
            var retire = Task.Run(async () =>
            {
                start.Wait(TestContext.CancellationToken);
                await using var scope = nodeA.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().RetireAsync(s_alice, id, cancellationToken: TestContext.CancellationToken);
            });
            var change = Task.Run(async () =>
            {
                start.Wait(TestContext.CancellationToken);
                await using var scope = nodeB.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().UpdateAsync(s_bob, id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Normal }, null, TestContext.CancellationToken);
            });
            start.Set();
            var (retired, changed) = (await retire, await change);

            var stored = await nodeB.GetRequiredService<IApiTokenStore>().FindByIdAsync(id, TestContext.CancellationToken);
            if (retired.Succeeded)
            {
                Assert.IsTrue(stored!.IsRetired, $"round {round}: a retire that succeeded was undone");
            }
            else
            {
                Assert.AreEqual(ApiTokenErrorCodes.ConcurrencyConflict, retired.Error.Code);
                conflicts++;
            }

            if (!changed.Succeeded)
            {
                CollectionAssert.Contains(new[] { ApiTokenErrorCodes.ConcurrencyConflict, ApiTokenErrorCodes.TokenRetired }, changed.Error.Code);
            }
        }

        TestContext.WriteLine($"{conflicts} of 20 retires lost the race and were reported as conflicts.");
    }

    [TestMethod]
    public async Task StaleWriteFromAnotherNode_ConflictsAndChangesNothing()
    {
        var database = await Databases.NewPostgresDatabaseAsync();
        await using var nodeA = Node(database);
        await using var nodeB = Node(database);
        var token = await CreateAsync(nodeA, s_bob, AppState.Allow);
        var storeA = nodeA.GetRequiredService<IApiTokenStore>();
        var storeB = nodeB.GetRequiredService<IApiTokenStore>();
        var read = (await storeA.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!;

        await storeB.UpdateAsync(read with { Description = "node B won" }, null, TestContext.CancellationToken);

        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => storeA.UpdateAsync(read with { Description = "node A lost" }, null, TestContext.CancellationToken));
        Assert.AreEqual("node B won", (await storeA.FindByIdAsync(read.Id, TestContext.CancellationToken))!.Description);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task UnreachableDatabase_StoreExceptionAndStoreUnavailable()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2";
        await using var node = Node(unreachable);
        var store = node.GetRequiredService<IApiTokenStore>();

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.FindByIdAsync("x", TestContext.CancellationToken));
        await using var scope = node.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenValidator>().ValidateAsync("apt_" + new string('0', 49), "app", TestContext.CancellationToken);
        Assert.AreNotEqual(ApiTokenValidationStatus.Success, result.Status);
        var wellFormed = await CreateSecretAsync();
        var failing = await scope.ServiceProvider.GetRequiredService<ApiTokenValidator>().ValidateAsync(wellFormed, "app", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.StoreUnavailable, failing.Status);
    }

    [TestMethod]
    [TestCategory("R29")]
    public async Task DescriptionWithNul_InvalidRequestLikeEveryStore_NotAStoreOutage()
    {
        await using var node = Node(await Databases.NewPostgresDatabaseAsync());
        await using var scope = node.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();

        var created = await manager.CreateAsync(s_bob, new CreateApiTokenRequest { Description = "a\u0000b" }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, created.Error?.Code, "PostgreSQL refuses NUL; the core refuses it first, as on every store");
    }

    // A secret in the right format (from an in-memory node), to get past the format check.
    private static async Task<string> CreateSecretAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiTokens().AddInMemoryMembership(m => m.SetRole("acme", "bob", TokenPrivilege.Normal)).AddInMemoryStore();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(s_bob, new CreateApiTokenRequest());
        return created.Value!.Secret;
    }

    private static ServiceProvider Node(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<TestDbContext>(o => o.UseNpgsql(connectionString));
        services.AddApiTokens().AddEntityFrameworkCoreStore<TestDbContext>().AddInMemoryMembership(m =>
        {
            m.SetRole("acme", "alice", TokenPrivilege.Admin);
            m.SetRole("acme", "bob", TokenPrivilege.Normal);
        });
        return services.BuildServiceProvider();
    }

    private static async Task<CreatedApiToken> CreateAsync(ServiceProvider node, ApiTokenActor actor, AppState defaultAppState)
    {
        await using var scope = node.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(actor, new CreateApiTokenRequest { DefaultAppState = defaultAppState });
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value;
    }
}
