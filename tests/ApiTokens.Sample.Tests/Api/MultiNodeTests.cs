using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ApiTokens.Caching;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ApiTokens.Sample.Tests.Api;

// R26 and R20 with two sample nodes (each its own Kestrel, connection pool and listener) on one
// throwaway PostgreSQL: a change made through node A is refused by node B within 1 s, also while
// B's listening connection is killed, across a PostgreSQL restart; a frozen database is a 503
// within StoreTimeout.
[TestClass]
[TestCategory("R26")]
public sealed class MultiNodeTests
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(1);
    private static PostgresCluster? s_cluster;

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
    public async Task FiftyChangesOnNodeA_TakeEffectOnNodeB_WithinOneSecond()
    {
        var (a, b) = await StartNodesAsync();
        await using var _ = a;
        await using var __ = b;
        using var alice = await a.SignInAsync("alice");
        using var api = b.CreateClient();
        var latencies = new List<TimeSpan>();

        for (var i = 0; i < 50; i++)
        {
            var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal", description = $"node test {i}" });
            var id = token.GetProperty("id").GetString()!;
            var secret = token.GetProperty("secret").GetString()!;
            await ExpectAsync(b, api, secret, HttpStatusCode.OK, "cached on B");
            await ExpectAsync(b, api, secret, HttpStatusCode.OK, "cached on B");

            // Mostly app denials (403 on B); a few retirements (401 on B, which count as the client's
            // failures, so only a few keep the poller under the throttling limit).
            var retire = i % 10 == 9;
            var change = retire
                ? await alice.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken)
                : await alice.PutAsJsonAsync($"/api/tokens/{id}/apps/sample-tests", new { state = "deny" }, TestContext.CancellationToken);
            var changed = Stopwatch.StartNew();
            Assert.AreEqual(HttpStatusCode.OK, change.StatusCode);

            latencies.Add(await UntilAsync(b, api, secret, retire ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, changed));
        }

        latencies.Sort();
        var report = $"R26 propagation over {latencies.Count} changes (A → B, polled every 50 ms): p50 {latencies[latencies.Count / 2].TotalMilliseconds:F0} ms, max {latencies[^1].TotalMilliseconds:F0} ms";
        TestContext.WriteLine(report);
        Console.WriteLine(report);
        Assert.IsLessThan(s_bound, latencies[^1], report);
    }

    [TestMethod]
    public async Task ListenerKilled_DegradedModeHoldsTheBound_ThenReconnects()
    {
        var (a, b) = await StartNodesAsync();
        await using var _ = a;
        await using var __ = b;
        using var alice = await a.SignInAsync("alice");
        using var api = b.CreateClient();
        var first = await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" });
        await ExpectAsync(b, api, first.GetProperty("secret").GetString()!, HttpStatusCode.OK, "cached on B");
        await ExpectAsync(b, api, first.GetProperty("secret").GetString()!, HttpStatusCode.OK, "cached on B");

        await using (var connection = new NpgsqlConnection(s_cluster!.ConnectionString(DatabaseOf(a))))
        {
            await connection.OpenAsync(TestContext.CancellationToken);
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'ApiTokens change listener'", connection);
            Assert.AreEqual(2L, await kill.ExecuteScalarAsync(TestContext.CancellationToken), "both nodes' listeners were killed");
        }

        // Changed at once, while B's channel is down: B must still refuse within the bound.
        var change = await alice.PutAsJsonAsync($"/api/tokens/{first.GetProperty("id").GetString()}/apps/sample-tests", new { state = "deny" }, TestContext.CancellationToken);
        var changed = Stopwatch.StartNew();
        Assert.AreEqual(HttpStatusCode.OK, change.StatusCode);
        var degraded = await UntilAsync(b, api, first.GetProperty("secret").GetString()!, HttpStatusCode.Forbidden, changed);
        TestContext.WriteLine($"while B's listener was down: {degraded.TotalMilliseconds:F0} ms");

        await WaitConnectedAsync(a, b);
        var second = await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" });
        await ExpectAsync(b, api, second.GetProperty("secret").GetString()!, HttpStatusCode.OK, "cached on B");
        await ExpectAsync(b, api, second.GetProperty("secret").GetString()!, HttpStatusCode.OK, "cached on B");
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/tokens/{second.GetProperty("id").GetString()}/apps/sample-tests", new { state = "deny" }, TestContext.CancellationToken)).StatusCode);
        changed.Restart();
        await UntilAsync(b, api, second.GetProperty("secret").GetString()!, HttpStatusCode.Forbidden, changed);
    }

    [TestMethod]
    public async Task PostgresRestarted_BothNodesRecoverWithoutRestart_AndAFrozenDatabaseIs503WithinTheTimeout()
    {
        var (a, b) = await StartNodesAsync();
        await using var _ = a;
        await using var __ = b;
        using var alice = await a.SignInAsync("alice");
        using var api = b.CreateClient();

        await s_cluster!.StopAsync();
        try
        {
            var down = await api.SendAsync(b.ApiRequest(HttpMethod.Get, "/v2/user/current", "apt_" + new string('x', 49)), TestContext.CancellationToken);
            Assert.AreNotEqual(HttpStatusCode.OK, down.StatusCode);
            await WaitDisconnectedAsync(b);
        }
        finally
        {
            await s_cluster.StartAgainAsync();
        }

        await WaitConnectedAsync(a, b);

        // Connections pooled before the restart fail once each (503, R20); the node itself needs no restart.
        System.Text.Json.JsonElement token = default;
        var recovering = Stopwatch.StartNew();
        while (true)
        {
            var created = await alice.PostAsJsonAsync("/api/tokens", new { type = "user", privilege = "normal" }, TestContext.CancellationToken);
            if (created.StatusCode == HttpStatusCode.Created)
            {
                token = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.CancellationToken);
                break;
            }

            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, created.StatusCode, await created.Content.ReadAsStringAsync(TestContext.CancellationToken));
            Assert.IsLessThan(TimeSpan.FromSeconds(10), recovering.Elapsed, "node A did not recover");
        }

        var secret = token.GetProperty("secret").GetString()!;
        for (var i = 0; i < 50 && (await api.SendAsync(b.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode != HttpStatusCode.OK; i++)
        {
            // Node B's pool recovers the same way.
        }

        await ExpectAsync(b, api, secret, HttpStatusCode.OK, "cached on B");
        await ExpectAsync(b, api, secret, HttpStatusCode.OK, "cached on B");
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/tokens/{token.GetProperty("id").GetString()}/apps/sample-tests", new { state = "deny" }, TestContext.CancellationToken)).StatusCode);
        await UntilAsync(b, api, secret, HttpStatusCode.Forbidden, Stopwatch.StartNew());

        // R20: a database that hangs. A secret B has not cached must be answered 503 within
        // StoreTimeout (2 s), not after the driver's own timeouts.
        var fresh = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        await s_cluster.SignalAllAsync("STOP");
        try
        {
            var waited = Stopwatch.StartNew();
            var frozen = await api.SendAsync(b.ApiRequest(HttpMethod.Get, "/v2/user/current", fresh), TestContext.CancellationToken);
            waited.Stop();
            await SampleServer.ProblemAsync(frozen, 503, "ServiceUnavailable.TokenStore");
            Assert.IsTrue(frozen.Headers.Contains("Retry-After"));
            Assert.IsLessThan(TimeSpan.FromSeconds(4), waited.Elapsed, $"503 after {waited.Elapsed}");
        }
        finally
        {
            await s_cluster.SignalAllAsync("CONT");
        }
    }

    private async Task<(SampleServer A, SampleServer B)> StartNodesAsync()
    {
        var database = "nodes_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(s_cluster!.ConnectionString("postgres")))
        {
            await connection.OpenAsync(TestContext.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync(TestContext.CancellationToken);
        }

        string[] args = ["--store", "postgres", "--connection", s_cluster.ConnectionString(database)];
        var a = await SampleServer.StartAsync(null, args);
        var b = await SampleServer.StartAsync(null, args);   // started means listening (SampleServer)
        return (a, b);
    }

    private static string DatabaseOf(SampleServer server)
        => new NpgsqlConnectionStringBuilder(server.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["connection"]).Database!;

    private async Task WaitConnectedAsync(params SampleServer[] nodes)
    {
        var waited = Stopwatch.StartNew();
        while (!nodes.All(n => n.Services.GetRequiredService<ApiTokenChangeFeed>().IsConnected))
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(30), waited.Elapsed, "the listeners did not connect");
            await Task.Delay(50, TestContext.CancellationToken);
        }
    }

    private async Task WaitDisconnectedAsync(SampleServer node)
    {
        var waited = Stopwatch.StartNew();
        while (node.Services.GetRequiredService<ApiTokenChangeFeed>().IsConnected)
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(30), waited.Elapsed, "the listener did not notice");
            await Task.Delay(50, TestContext.CancellationToken);
        }
    }

    private async Task ExpectAsync(SampleServer node, HttpClient api, string secret, HttpStatusCode expected, string why)
        => Assert.AreEqual(expected, (await api.SendAsync(node.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode, why);

    // Polls the node every 50 ms until it answers the expected status; fails past the bound.
    private async Task<TimeSpan> UntilAsync(SampleServer node, HttpClient api, string secret, HttpStatusCode expected, Stopwatch since)
    {
        while (true)
        {
            var status = (await api.SendAsync(node.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode;
            if (status == expected)
            {
                return since.Elapsed;
            }

            Assert.IsLessThan(s_bound + TimeSpan.FromMilliseconds(100), since.Elapsed, $"node still answered {status} after {since.Elapsed}");
            await Task.Delay(50, TestContext.CancellationToken);
        }
    }
}
