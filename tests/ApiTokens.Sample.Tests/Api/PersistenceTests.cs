using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Sample.Data;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ApiTokens.Sample.Tests.Api;

// The sample on its database stores: tokens and app decisions survive a restart, and two instances
// on one PostgreSQL database see each other's tokens. Schemas come from the sample's migrations.
[TestClass]
public sealed class PersistenceTests
{
    private static PostgresCluster? s_cluster;
    private static string? s_missing;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        try
        {
            s_cluster = await PostgresCluster.StartAsync();
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") != "1")
        {
            s_missing = ex.Message;
        }
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
    public async Task Sqlite_TokenAndApprovalSurviveRestart()
    {
        var directory = Directory.CreateTempSubdirectory("apitokens-sample-");
        try
        {
            string[] args = ["--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")}"];
            await AssertSurvivesRestartAsync(args);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task Postgres_TokenAndApprovalSurviveRestart()
        => await AssertSurvivesRestartAsync(["--store", "postgres", "--connection", await NewDatabaseAsync()]);

    [TestMethod]
    [TestCategory("R18")]
    public async Task Postgres_TwoInstancesSeeEachOthersTokens()
    {
        string[] args = ["--store", "postgres", "--connection", await NewDatabaseAsync()];
        await using var first = await SampleServer.StartAsync(null, args);
        await using var second = await SampleServer.StartAsync(null, args);
        using var aliceOnFirst = await first.SignInAsync("alice");
        using var aliceOnSecond = await second.SignInAsync("alice");

        var created = await SampleServer.CreateTokenAsync(aliceOnFirst, new { type = "user", description = "made on the first" });
        var secret = created.GetProperty("secret").GetString()!;
        using var api = second.CreateClient();

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(second.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);
        var listed = await aliceOnSecond.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);
        Assert.IsTrue(listed!.Any(t => t.GetProperty("id").GetString() == created.GetProperty("id").GetString()));

        // A retire on the second instance is seen by the first on its next uncached request.
        await aliceOnSecond.PostAsync($"/api/tokens/{created.GetProperty("id").GetString()}/retire", null, TestContext.CancellationToken);
        using var onFirst = first.CreateClient();
        await SampleServer.ProblemAsync(await onFirst.SendAsync(first.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "never-seen-here"), TestContext.CancellationToken), 401, "Unauthorized.BadToken");
    }

    [TestMethod]
    public void Migrations_MatchTheModel_OnBothProviders()
    {
        using var sqlite = new SampleSqliteDesignTimeFactory().CreateDbContext([]);
        using var postgres = new SamplePostgresDesignTimeFactory().CreateDbContext([]);

        Assert.IsFalse(sqlite.Database.HasPendingModelChanges(), "run dotnet ef migrations add for SampleSqliteDbContext");
        Assert.IsFalse(postgres.Database.HasPendingModelChanges(), "run dotnet ef migrations add for SamplePostgresDbContext");
        Assert.IsNotEmpty(sqlite.Database.GetMigrations());
        Assert.IsNotEmpty(postgres.Database.GetMigrations());
    }

    private async Task AssertSurvivesRestartAsync(string[] args)
    {
        string secret;
        string id;
        await using (var server = await SampleServer.StartAsync(null, args))
        {
            using var alice = await server.SignInAsync("alice");
            var created = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "pending" });
            secret = created.GetProperty("secret").GetString()!;
            id = created.GetProperty("id").GetString()!;
            using var api = server.CreateClient();
            await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "survivor"), TestContext.CancellationToken), 401, "Unauthorized.PendingApp");
            Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/tokens/{id}/apps/survivor", new { state = "allow" }, TestContext.CancellationToken)).StatusCode);
        }

        await using (var restarted = await SampleServer.StartAsync(null, args))
        {
            using var api = restarted.CreateClient();
            var response = await api.SendAsync(restarted.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "survivor"), TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
            using var alice = await restarted.SignInAsync("alice");
            var token = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", TestContext.CancellationToken);
            Assert.AreEqual("allow", token.GetProperty("apps")[0].GetProperty("state").GetString());
        }
    }

    private static async Task<string> NewDatabaseAsync()
    {
        if (s_cluster is null)
        {
            Assert.Inconclusive("PostgreSQL is not available, so this test did not run: " + s_missing);
        }

        var name = "sample_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(s_cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return s_cluster.ConnectionString(name);
    }
}
