using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ApiTokens.Sample.Tests.Api;

// Through the front door: expiry (R21), last use (R22) and rotation (R23) over HTTP against
// the sample, with its clock replaced by a FakeTimeProvider; on SQLite and PostgreSQL, across a restart.
[TestClass]
public sealed class TokenLifecycleApiTests
{
    private static PostgresCluster? s_cluster;

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_cluster is not null)
        {
            await s_cluster.DisposeAsync();
        }
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task ShortExpiry_StopsWorkingAtThatTime_LikeAnUnknownToken_AndShowsExpired()
    {
        var time = new FakeTimeProvider(Now());
        await using var server = await StartAsync(time);
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", expiresAt = time.GetUtcNow().AddMinutes(10) });
        var secret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.IsFalse(created.GetProperty("expired").GetBoolean());
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), Ct)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), Ct)).StatusCode);

        time.Advance(TimeSpan.FromMinutes(10));

        var expired = await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), Ct), 401, "Unauthorized.BadToken");
        var unknown = await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", "apt_" + new string('A', 47)), Ct), 401, "Unauthorized.BadToken");
        Assert.AreEqual(unknown.GetProperty("message").GetString(), expired.GetProperty("message").GetString(), "the same body as an unknown token");
        var shown = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", Ct);
        Assert.IsTrue(shown.GetProperty("expired").GetBoolean());
        Assert.AreEqual(JsonValueKind.Null, shown.GetProperty("effectivePrivilege").ValueKind);
        await SampleServer.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "x" }, Ct), 409, "TokenExpired");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { }, Ct), 409, "TokenExpired");
        Assert.AreEqual(HttpStatusCode.OK, (await bob.PostAsync($"/api/tokens/{id}/retire", null, Ct)).StatusCode, "an expired token can be retired");
    }

    [TestMethod]
    [TestCategory("R21")]
    [TestCategory("R23")]
    public async Task BadLifetimeAndGrace_Are400WithStableCodes_AndChangeNothing()
    {
        await using var server = await SampleServer.StartAsync(null, "--ApiTokens:MaxLifetime=90.00:00:00", "--ApiTokens:MaxRotationGracePeriod=1.00:00:00");
        using var bob = await server.SignInAsync("bob");
        var now = DateTimeOffset.UtcNow;

        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "user", expiresAt = now.AddDays(-1) }, Ct), 400, "InvalidExpiry");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "user", expiresAt = now.AddDays(1), lifetimeDays = 1 }, Ct), 400, "InvalidExpiry");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "user", lifetimeDays = 91 }, Ct), 400, "LifetimeExceedsMaximum");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "user", lifetimeDays = "soon" }, Ct), 400, "InvalidRequest");
        Assert.AreEqual(0, (await bob.GetFromJsonAsync<JsonElement[]>("/api/tokens", Ct))!.Length, "nothing created");

        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user" });
        var id = created.GetProperty("id").GetString()!;
        Assert.IsTrue(created.GetProperty("expiresAt").GetDateTimeOffset() > now.AddDays(89), "no expiry asked: the maximum");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = -1 }, Ct), 400, "InvalidGracePeriod");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = 86_401 }, Ct), 400, "InvalidGracePeriod");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = long.MaxValue }, Ct), 400, "InvalidGracePeriod");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { expiresAt = now.AddDays(91) }, Ct), 400, "LifetimeExceedsMaximum");
        var after = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", Ct);
        Assert.AreEqual(1, after.GetProperty("version").GetInt64(), "nothing changed");
        Assert.AreEqual(JsonValueKind.Null, after.GetProperty("rotatedAt").ValueKind);
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task Rotate_OverHttp_OldSecretDuringTheGraceOnly_NewAtOnce_ApprovalsKept_IfMatchHonoured()
    {
        var time = new FakeTimeProvider(Now());
        await using var server = await StartAsync(time);
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "pending", description = "cron" });
        var oldSecret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.AreEqual(HttpStatusCode.OK, (await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/cron", new { state = "allow" }, Ct)).StatusCode);
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "cron"), Ct)).StatusCode);

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/tokens/{id}/rotate");
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await SampleServer.ProblemAsync(await bob.SendAsync(stale, Ct), 412, "ConcurrencyConflict");

        var response = await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = 60 }, Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString());
        var rotated = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.AreEqual(id, rotated.GetProperty("id").GetString());
        Assert.AreEqual(time.GetUtcNow().AddSeconds(60), rotated.GetProperty("previousSecretExpiresAt").GetDateTimeOffset());
        Assert.AreEqual("allow", rotated.GetProperty("apps")[0].GetProperty("state").GetString());
        Assert.IsFalse((await bob.GetStringAsync($"/api/tokens/{id}", Ct)).Contains(newSecret, StringComparison.Ordinal), "the secret is in the rotate response only");

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret, "cron"), Ct)).StatusCode, "approvals kept: no Pending");
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "cron"), Ct)).StatusCode);
        time.Advance(TimeSpan.FromSeconds(60));
        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "cron"), Ct), 401, "Unauthorized.BadToken");
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret, "cron"), Ct)).StatusCode);

        Assert.AreEqual(HttpStatusCode.OK, (await bob.PostAsync($"/api/tokens/{id}/retire", null, Ct)).StatusCode);
        await SampleServer.ProblemAsync(await bob.PostAsync($"/api/tokens/{id}/rotate", null, Ct), 409, "TokenRetired");
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task LastUsedAt_AppearsWithinTheGranularity_BoundFromConfiguration()
    {
        var time = new FakeTimeProvider(Now());
        await using var server = await StartAsync(time, "--ApiTokens:LastUsedGranularity=00:00:05");
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user" });
        var id = created.GetProperty("id").GetString()!;
        Assert.AreEqual(JsonValueKind.Null, created.GetProperty("lastUsedAt").ValueKind);
        using var api = server.CreateClient();
        var usedAt = time.GetUtcNow();
        for (var i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", created.GetProperty("secret").GetString()!, "ci"), Ct)).StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(5));

        var token = await WaitForAsync(bob, id, t => t.GetProperty("lastUsedAt").ValueKind != JsonValueKind.Null);
        Assert.AreEqual(usedAt, token.GetProperty("lastUsedAt").GetDateTimeOffset());
        Assert.AreEqual(usedAt, token.GetProperty("apps")[0].GetProperty("lastUsedAt").GetDateTimeOffset());
    }

    [TestMethod]
    [TestCategory("R21")]
    [TestCategory("R22")]
    [TestCategory("R23")]
    public async Task Sqlite_ExpiryRotationAndLastUse_SurviveARestart()
    {
        var directory = Directory.CreateTempSubdirectory("apitokens-lifecycle-");
        try
        {
            await AssertSurvivesRestartAsync(["--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")}"]);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("R21")]
    [TestCategory("R22")]
    [TestCategory("R23")]
    public async Task Postgres_ExpiryRotationAndLastUse_SurviveARestart()
    {
        s_cluster ??= await PostgresClusters.StartForTestsAsync();
        var name = "lifecycle_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(s_cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        await AssertSurvivesRestartAsync(["--store", "postgres", "--connection", s_cluster.ConnectionString(name)]);
    }

    private async Task AssertSurvivesRestartAsync(string[] args)
    {
        var time = new FakeTimeProvider(Now());
        string oldSecret, newSecret, id;
        DateTimeOffset usedAt;
        await using (var server = await StartAsync(time, args))
        {
            using var bob = await server.SignInAsync("bob");
            var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", lifetimeDays = 2 });
            oldSecret = created.GetProperty("secret").GetString()!;
            id = created.GetProperty("id").GetString()!;
            var rotated = await (await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = 3600 }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
            newSecret = rotated.GetProperty("secret").GetString()!;
            using var api = server.CreateClient();
            usedAt = time.GetUtcNow();
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret, "ci"), Ct)).StatusCode);

            // Stopped before the minute is up: the last uses are written on the way out.
        }

        await using (var restarted = await StartAsync(time, args))
        {
            using var api = restarted.CreateClient();
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(restarted.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "ci"), Ct)).StatusCode, "the previous secret, within its grace");
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(restarted.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret, "ci"), Ct)).StatusCode);
            using var bob = await restarted.SignInAsync("bob");
            var token = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", Ct);
            Assert.AreEqual(usedAt, token.GetProperty("lastUsedAt").GetDateTimeOffset(), "written at shutdown, read after the restart");
            Assert.AreEqual(time.GetUtcNow().AddHours(1), token.GetProperty("previousSecretExpiresAt").GetDateTimeOffset());

            time.Advance(TimeSpan.FromHours(1));
            await SampleServer.ProblemAsync(await api.SendAsync(restarted.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "ci"), Ct), 401, "Unauthorized.BadToken");
            time.Advance(TimeSpan.FromDays(2));
            await SampleServer.ProblemAsync(await api.SendAsync(restarted.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret, "ci"), Ct), 401, "Unauthorized.BadToken");
        }

        await using (var again = await StartAsync(time, args))
        {
            using var bob = await again.SignInAsync("bob");
            Assert.IsTrue((await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", Ct)).GetProperty("expired").GetBoolean());
        }
    }

    // Whole seconds: databases keep microseconds, so a time read back equals the time written.
    private static DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static Task<SampleServer> StartAsync(FakeTimeProvider time, params string[] args)
        => SampleServer.StartAsync(b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)), args);

    private async Task<JsonElement> WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> condition)
    {
        // The flush runs on the thread pool once the fake clock fires: wait for it, not for time.
        for (var i = 0; i < 200; i++)
        {
            var token = await client.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", Ct);
            if (condition(token))
            {
                return token;
            }

            await Task.Delay(25, Ct);
        }

        Assert.Fail("the condition never held");
        return default;
    }
}
