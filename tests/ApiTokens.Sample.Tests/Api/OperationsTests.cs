using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Npgsql;

namespace ApiTokens.Sample.Tests.Api;

// the sample as an operated service (docs/sample.md): /metrics counts what happened, /healthz
// follows the store, and logs are quiet unless asked. Not parallel: OpenTelemetry listens to every
// meter named ApiTokens in the process, so another test's sample would be counted too.
[TestClass]
[DoNotParallelize]
public sealed partial class OperationsTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R25")]
    public async Task Metrics_CountTheAuthenticationsTheScriptCaused_ByResult_WithoutSecretsOrIds()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var created = await SampleServer.CreateTokenAsync(alice, new { type = "user", defaultAppState = "pending" });
        var secret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/tokens/{id}/apps/ci", new { state = "allow" }, Ct)).StatusCode);
        using var api = server.CreateClient();
        var before = await CountsAsync(api);

        for (var i = 0; i < 5; i++)
        {
            await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "ci"), Ct);
        }

        for (var i = 0; i < 3; i++)
        {
            await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", "apt_" + new string('x', 47), "ci"), Ct);
        }

        await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "new-app"), Ct);
        var after = await CountsAsync(api);

        Assert.AreEqual(5, after.GetValueOrDefault("success") - before.GetValueOrDefault("success"));
        Assert.AreEqual(3, after.GetValueOrDefault("bad_token") - before.GetValueOrDefault("bad_token"));
        Assert.AreEqual(1, after.GetValueOrDefault("pending_app") - before.GetValueOrDefault("pending_app"));
        var text = await api.GetStringAsync("/metrics", Ct);
        StringAssert.Contains(text, "apitokens_authentication_duration_seconds_bucket");
        StringAssert.Contains(text, "le=\"1E-05\"", "second-based buckets from 10 µs, not the millisecond defaults");
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain(id, text);
        Assert.DoesNotContain("new-app", text);
    }

    [TestMethod]
    public async Task Metrics_AlsoServeTheRuntimeMeter_ForReadingALatencySpikeAgainstTheGc()
    {
        await using var server = await SampleServer.StartAsync();
        using var client = server.CreateClient();

        var text = await client.GetStringAsync("/metrics", Ct);

        StringAssert.Contains(text, "dotnet_gc_pause_time_seconds_total");
        StringAssert.Contains(text, "dotnet_gc_collections_total");
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task Healthz_Is503WhilePostgreSqlIsStopped_And200WhenItReturns()
    {
        await using var cluster = await PostgresClusters.StartForTestsAsync();
        var name = "ops_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        await using var server = await SampleServer.StartAsync(null, "--store", "postgres", "--connection", cluster.ConnectionString(name));
        using var client = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await client.GetAsync("/healthz", Ct)).StatusCode);

        await cluster.StopAsync();
        var down = await client.GetAsync("/healthz", Ct);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.AreEqual("Unhealthy", await down.Content.ReadAsStringAsync(Ct));

        await cluster.StartAgainAsync();
        var status = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 50 && status != HttpStatusCode.OK; i++)
        {
            // A pooled connection broken by the restart fails once before Npgsql replaces it.
            status = (await client.GetAsync("/healthz", Ct)).StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.AreEqual(HttpStatusCode.OK, status);
    }

    [TestMethod]
    public async Task Logs_AreQuietByDefault_VerboseShowsRequestsAndSql_NeitherShowsASecret()
    {
        var quiet = await RunScriptAsync(verbose: false);
        var verbose = await RunScriptAsync(verbose: true);

        StringAssert.Contains(quiet.Output, "ApiTokens sample is running on");
        Assert.DoesNotContain("info:", quiet.Output, "no Information logs by default");
        Assert.DoesNotContain("Executed DbCommand", quiet.Output);
        StringAssert.Contains(verbose.Output, "Executed DbCommand", "--verbose shows SQL");
        StringAssert.Contains(verbose.Output, "Request finished", "--verbose shows requests");
        Assert.DoesNotContain(quiet.Secret, quiet.Output);
        Assert.DoesNotContain(verbose.Secret, verbose.Output);
    }

    // The sample as `dotnet run` starts it (its own process, SQLite in a temporary directory): sign in,
    // create a token, use it, stop.
    private async Task<(string Output, string Secret)> RunScriptAsync(bool verbose)
    {
        var directory = Directory.CreateTempSubdirectory("apitokens-logs-");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ApiTokens.Sample.dll"), "--urls", "http://127.0.0.1:0" })
        {
            start.ArgumentList.Add(arg);
        }

        if (verbose)
        {
            start.ArgumentList.Add("--verbose");
        }

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (RunningOn().Match(line) is { Success: true } match)
            {
                started.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await started.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            using var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = address };
            Assert.AreEqual(HttpStatusCode.OK, (await client.PostAsJsonAsync("/login", new { userName = "alice" }, Ct)).StatusCode);
            var created = await SampleServer.CreateTokenAsync(client, new { type = "user" });
            var secret = created.GetProperty("secret").GetString()!;
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/user/current");
            request.Headers.Add("X-Circonus-Auth-Token", secret);
            request.Headers.Add("X-Circonus-App-Name", "logs-test");
            Assert.AreEqual(HttpStatusCode.OK, (await client.SendAsync(request, Ct)).StatusCode);
            using var bad = new HttpRequestMessage(HttpMethod.Get, "/v2/user/current");
            bad.Headers.Add("X-Circonus-Auth-Token", secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a'));
            await client.SendAsync(bad, Ct);
            lock (output)
            {
                return (output.ToString(), secret);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<Dictionary<string, long>> CountsAsync(HttpClient client)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match match in CountLine().Matches(await client.GetStringAsync("/metrics")))
        {
            counts[match.Groups[1].Value] = long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    [GeneratedRegex(@"^apitokens_authentication_count_total\{[^}]*apitokens_result=""([a-z_]+)""[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex CountLine();

    [GeneratedRegex(@"running on (http://\S+)")]
    private static partial Regex RunningOn();
}
