using System.Collections.Concurrent;
using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 1)]

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql.Tests;

// The PostgreSQL notifier against a real server: NOTIFY in the store's transaction (nothing for a
// change that does not commit), payloads that are token ids only, a listener that invalidates, goes
// degraded when its connection is killed and reconnects.
[TestClass]
[TestCategory("R26")]
public sealed class NotificationTests
{
    private static PostgresCluster? s_cluster;
    private static int s_next;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_cluster = await PostgresClusters.StartForTestsAsync();
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_cluster is not null)
        {
            await s_cluster.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task StoreChanges_AnnouncedInTheirTransaction_TokenIdsOnly_AndAChangeThatFailsAnnouncesNothing()
    {
        var connection = await NewDatabaseAsync();
        await using var node = await NodeAsync(connection, startListener: false);
        await using var listener = await ListenAsync(connection);
        var store = node.GetRequiredService<IApiTokenStore>();
        var created = await CreateAsync(node);
        var token = (await store.FindByIdAsync(created.Details.Token.Id, TestContext.CancellationToken))!;

        var updated = await store.UpdateAsync(token with { Description = "changed" }, null, TestContext.CancellationToken);
        await store.RecordAppAsync(token.Id, new TokenApp("cosi", AppState.Pending, new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)), 10, null, TestContext.CancellationToken);
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(token with { Description = "stale" }, null, TestContext.CancellationToken));

        var payloads = await listener.DrainAsync(TimeSpan.FromMilliseconds(500));
        var origin = node.GetRequiredService<IOptions<EntityFrameworkCoreStoreOptions>>().Value.NotificationOrigin;
        CollectionAssert.AreEqual(new[] { token.Id + " " + origin, token.Id + " " + origin }, payloads.ToArray(), "update and first use, each once, marked with the node's origin; the stale update announced nothing");
        Assert.AreEqual(2, updated.Version);
        Assert.IsFalse(payloads.Any(p => p.Contains(created.Secret, StringComparison.Ordinal) || p.Contains(Convert.ToHexString(token.SecretHash), StringComparison.OrdinalIgnoreCase)));
    }

    [TestMethod]
    public async Task ManagerChanges_ArePublishedByTheNotifierToo()
    {
        var connection = await NewDatabaseAsync();
        await using var node = await NodeAsync(connection, startListener: true);
        await using var listener = await ListenAsync(connection);
        var created = await CreateAsync(node);
        await listener.DrainAsync(TimeSpan.FromMilliseconds(300));

        await node.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope().ServiceProvider.GetRequiredService<ApiTokenManager>()
            .MemberRoleChangedAsync("acme", "alice", cancellationToken: TestContext.CancellationToken);

        var payloads = await listener.DrainAsync(TimeSpan.FromMilliseconds(1000));
        CollectionAssert.Contains(payloads.Select(p => p.Split(' ')[0]).ToList(), created.Details.Token.Id, "a role change has no store transaction: the notifier announces it");
    }

    [TestMethod]
    public async Task Listener_InvalidatesAnnouncedTokens_GoesDegradedWhenKilled_AndReconnects()
    {
        var connection = await NewDatabaseAsync();
        await using var node = await NodeAsync(connection, startListener: true);
        var feed = node.GetRequiredService<ApiTokenChangeFeed>();
        await UntilAsync(() => feed.IsConnected, "connected");
        var changes = node.GetRequiredService<RecordingListener>();

        await using (var notify = new NpgsqlConnection(connection))
        {
            await notify.OpenAsync(TestContext.CancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_notify('apitokens_changes', 'from-another-node')", notify);
            await command.ExecuteNonQueryAsync(TestContext.CancellationToken);
            await UntilAsync(() => changes.Changed.Contains("from-another-node"), "an announcement reached the listeners");

            // The node's own echo is skipped (its change already updated its caches); another node's is not.
            var origin = node.GetRequiredService<IOptions<EntityFrameworkCoreStoreOptions>>().Value.NotificationOrigin;
            await using (var own = new NpgsqlCommand($"SELECT pg_notify('apitokens_changes', 'own-echo {origin}'), pg_notify('apitokens_changes', 'other-node 0123456789abcdef')", notify))
            {
                await own.ExecuteNonQueryAsync(TestContext.CancellationToken);
            }

            await UntilAsync(() => changes.Changed.Contains("other-node"), "another node's marked announcement reached the listeners");
            Assert.DoesNotContain("own-echo", changes.Changed, "announced in order: the own echo came first and was skipped");

            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'ApiTokens change listener' AND datname = current_database()", notify);
            Assert.AreEqual(1L, await kill.ExecuteScalarAsync(TestContext.CancellationToken));
        }

        await UntilAsync(() => !feed.IsConnected, "degraded after the kill");
        await UntilAsync(() => feed.IsConnected, "reconnected");
    }

    [TestMethod]
    public async Task InvalidChannel_StopsTheHostAtStart()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<NodeContext>(o => o.UseNpgsql("Host=127.0.0.1"));
        services.AddApiTokens().AddInMemoryMembership().AddEntityFrameworkCoreStore<NodeContext>().AddPostgreSqlNotifications(o => o.Channel = "Robert'); DROP TABLE--");
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlNotificationOptions>>().Value);
        StringAssert.Contains(error.Message, "Channel");
    }

    private async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.IsLessThan(deadline, DateTime.UtcNow, what);
            await Task.Delay(20, TestContext.CancellationToken);
        }
    }

    private async Task<CreatedApiToken> CreateAsync(IServiceProvider node)
    {
        await using var scope = node.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>()
            .CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Type = TokenType.User }, TestContext.CancellationToken);
        return result.Value!;
    }

    private static async Task<string> NewDatabaseAsync()
    {
        var name = $"notify_{Interlocked.Increment(ref s_next)}_{Environment.ProcessId}";
        await using (var connection = new NpgsqlConnection(s_cluster!.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = s_cluster.ConnectionString(name);
        await using var context = new NodeContext(new DbContextOptionsBuilder<NodeContext>().UseNpgsql(connectionString).Options);
        await context.Database.EnsureCreatedAsync();
        return connectionString;
    }

    // One node: DI as a host builds it, the notifier's hosted service started when asked.
    private static async Task<Node> NodeAsync(string connection, bool startListener)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<RecordingListener>();
        services.AddSingleton<IApiTokenChangeListener>(sp => sp.GetRequiredService<RecordingListener>());
        services.AddDbContextFactory<NodeContext>(o => o.UseNpgsql(connection));
        services.AddApiTokens().AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin))
            .AddEntityFrameworkCoreStore<NodeContext>().AddPostgreSqlNotifications();
        var provider = services.BuildServiceProvider();
        var hosted = startListener ? provider.GetServices<IHostedService>().ToArray() : [];
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new Node(provider, hosted);
    }

    private static async Task<Listener> ListenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var listener = new Listener(connection);
        await using var command = new NpgsqlCommand("LISTEN apitokens_changes", connection);
        await command.ExecuteNonQueryAsync();
        return listener;
    }

    public sealed class NodeContext(DbContextOptions<NodeContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseApiTokens();
    }

    private sealed class RecordingListener : IApiTokenChangeListener
    {
        public ConcurrentBag<string> Changed { get; } = [];

        public void OnTokenChanged(string tokenId) => Changed.Add(tokenId);
    }

    private sealed class Node(ServiceProvider provider, IHostedService[] hosted) : IServiceProvider, IAsyncDisposable
    {
        public object? GetService(Type serviceType) => provider.GetService(serviceType);

        // Stopped as a host stops them: within a shutdown timeout, so a service that cannot finish
        // (a flush against a database that is gone) cannot hold the test run.
        public async ValueTask DisposeAsync()
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            foreach (var service in hosted)
            {
                await service.StopAsync(shutdown.Token);
            }

            await provider.DisposeAsync();
        }
    }

    private sealed class Listener : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly ConcurrentQueue<string> _payloads = new();

        public Listener(NpgsqlConnection connection)
        {
            _connection = connection;
            connection.Notification += (_, e) => _payloads.Enqueue(e.Payload);
        }

        // Waits for notifications for a while and returns what arrived, in order.
        public async Task<IReadOnlyCollection<string>> DrainAsync(TimeSpan wait)
        {
            var until = DateTime.UtcNow + wait;
            while (DateTime.UtcNow < until)
            {
                // Npgsql waits in whole milliseconds and takes 0 as "no timeout": a remainder under 1 ms
                // rounded down to 0 waited forever (the suite's intermittent hang, found in a dump:
                // DrainAsync in NpgsqlConnector.Wait). Round up, at least 1 ms.
                var left = Math.Max(1, Math.Ceiling((until - DateTime.UtcNow).TotalMilliseconds));
                await _connection.WaitAsync(TimeSpan.FromMilliseconds(left));
            }

            var drained = new List<string>();
            while (_payloads.TryDequeue(out var payload))
            {
                drained.Add(payload);
            }

            return drained;
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
