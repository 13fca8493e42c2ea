using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ApiTokens.Sample.Tests.Api;

// R31 and R32 against the sample on Kestrel, on every store, with a key server of our own playing
// GitHub: signed reports retire live secrets (both secrets of a rotated token) and label each one;
// forged, unknown-key, oversized and malformed reports change nothing; a key server that is down or
// slow is a 503, never an unverified acceptance; replays change nothing more; public revocation
// always answers the same 202; no reported secret ever reaches the log.
[TestClass]
[TestCategory("R31")]
public sealed class LeakReportTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task SignedReport_RetiresLiveSecrets_LabelsEach_ReplaysChangeNothing_SecretsNeverLogged(string store)
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        var log = new RecordingLoggerProvider();
        await using var server = await SampleServer.StartAsync(b => b.Logging.AddProvider(log), [.. database.Args, .. keys.SampleArgs, "--Logging:LogLevel:Default", "Trace"]);
        using var alice = await server.SignInAsync("alice");
        using var api = server.CreateClient();
        var leaked = await CreateAsync(alice, "leaked in a gist");
        var bystander = await CreateAsync(alice, "still private");
        var rotated = await CreateAsync(alice, "rotated, old secret leaked");
        var rotation = await (await alice.PostAsJsonAsync($"/api/tokens/{rotated.Id}/rotate", new { gracePeriodSeconds = 3600 }, TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var rotatedNew = rotation.GetProperty("secret").GetString()!;
        const string stranger = "apt_not-a-secret-of-ours-at-all-0000000000";
        var body = JsonSerializer.Serialize(new object[]
        {
            new { token = leaked.Secret, type = "apitokens_secret", url = "https://gist.github.com/someone/abc", source = "gist" },
            new { token = stranger, type = "apitokens_secret", url = "https://github.com/x/y/blob/main/z", source = "content" },
            new { token = rotated.Secret, type = "apitokens_secret", url = "https://github.com/x/y/issues/1", source = "issue_comment" },
        });

        var response = await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var labels = (await response.Content.ReadFromJsonAsync<JsonElement[]>(TestContext.CancellationToken))!;
        CollectionAssert.AreEqual(new[] { "true_positive", "false_positive", "true_positive" }, labels.Select(l => l.GetProperty("label").GetString()).ToArray());
        Assert.AreEqual(Sha256Hex(leaked.Secret), labels[0].GetProperty("token_hash").GetString());
        Assert.AreEqual("apitokens_secret", labels[0].GetProperty("token_type").GetString());
        Assert.AreEqual(Sha256Hex(stranger), labels[1].GetProperty("token_hash").GetString());

        Assert.AreEqual(HttpStatusCode.Unauthorized, await UseAsync(server, api, leaked.Secret), "the leaked secret stopped at once");
        Assert.AreEqual(HttpStatusCode.Unauthorized, await UseAsync(server, api, rotated.Secret), "a reported previous secret ends…");
        Assert.AreEqual(HttpStatusCode.Unauthorized, await UseAsync(server, api, rotatedNew), "…and the rotated token's new secret with it");
        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, bystander.Secret), "other tokens are not affected");

        var events = await alice.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{leaked.Id}/events", TestContext.CancellationToken);
        var retire = events!.Single(e => e.GetProperty("action").GetString() == "token.retired");
        Assert.AreEqual("leak-report:github", retire.GetProperty("actor").GetString());
        Assert.AreEqual("https://gist.github.com/someone/abc", retire.GetProperty("details").GetProperty("url").GetProperty("new").GetString());
        Assert.AreEqual("gist", retire.GetProperty("details").GetProperty("source").GetProperty("new").GetString());
        var token = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{leaked.Id}", TestContext.CancellationToken);
        Assert.AreEqual("leak-report:github", token.GetProperty("retiredBy").GetString());

        // Replayed ten times: the same labels (retired secrets are still ours), nothing more written.
        var eventsBefore = (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens/events?limit=1000", TestContext.CancellationToken))!.Length;
        for (var i = 0; i < 10; i++)
        {
            var again = await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, again.StatusCode);
            Assert.AreEqual(JsonSerializer.Serialize(labels), JsonSerializer.Serialize(await again.Content.ReadFromJsonAsync<JsonElement[]>(TestContext.CancellationToken)));
        }

        Assert.AreEqual(eventsBefore, (await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens/events?limit=1000", TestContext.CancellationToken))!.Length, "a replay changes nothing");
        Assert.AreEqual(1, keys.Reads, "the keys were read once and cached");

        var lines = log.Lines.ToArray();
        Assert.IsNotEmpty(lines);
        foreach (var secret in new[] { leaked.Secret, rotated.Secret, stranger })
        {
            Assert.IsFalse(lines.Any(l => l.Contains(secret, StringComparison.Ordinal)), "a reported secret reached the log");
        }

        Assert.IsTrue(lines.Any(l => l.Contains("was found public at https://gist.github.com/someone/abc", StringComparison.Ordinal)), "the owner and admins are told (the sample's notifier)");
    }

    [TestMethod]
    public async Task ForgedUnknownOversizedOrMalformed_AnswerClearly_AndChangeNothing()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        await using var server = await SampleServer.StartAsync(null, keys.SampleArgs);
        using var alice = await server.SignInAsync("alice");
        using var api = server.CreateClient();
        var token = await CreateAsync(alice, "must survive");
        var body = JsonSerializer.Serialize(new[] { new { token = token.Secret, type = "t", url = "https://x", source = "content" } });

        await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, body, forge: true), TestContext.CancellationToken), 401, "Unauthorized.BadSignature");
        await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, body, keyId: "not-a-published-key"), TestContext.CancellationToken), 401, "Unauthorized.UnknownKey");
        var unsigned = keys.Report(server.Address, body);
        unsigned.Headers.Remove("Github-Public-Key-Signature");
        await SampleServer.ProblemAsync(await api.SendAsync(unsigned, TestContext.CancellationToken), 401, "Unauthorized.BadSignature");
        var tampered = keys.Report(server.Address, body);
        tampered.Content = new StringContent(body.Replace("https://x", "https://y", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        await SampleServer.ProblemAsync(await api.SendAsync(tampered, TestContext.CancellationToken), 401, "Unauthorized.BadSignature");

        var huge = "[" + string.Join(",", Enumerable.Repeat("{\"token\":\"" + new string('x', 1000) + "\"}", 1100)) + "]";
        await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, huge), TestContext.CancellationToken), 413, "ReportTooLarge");
        var many = JsonSerializer.Serialize(Enumerable.Range(0, 1001).Select(i => new { token = $"secret-number-{i:D8}", type = "t" }));
        await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, many), TestContext.CancellationToken), 400, "InvalidReport");
        foreach (var malformed in new[] { "{\"token\":\"x\"}", "[{\"type\":\"t\"}]", "[1,2]", "not json", "" })
        {
            await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, malformed), TestContext.CancellationToken), 400, "InvalidReport");
        }

        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, token.Secret), "nothing was retired");
        var events = await alice.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{token.Id}/events", TestContext.CancellationToken);
        Assert.IsFalse(events!.Any(e => e.GetProperty("action").GetString() == "token.retired"));
    }

    [TestMethod]
    public async Task KeyServerDownOrSlow_503WithRetryAfter_NeverAcceptedUnverified()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<TimeProvider>(time), keys.SampleArgs);
        using var alice = await server.SignInAsync("alice");
        using var api = server.CreateClient();
        var token = await CreateAsync(alice, "report arrives while GitHub is down");
        var body = JsonSerializer.Serialize(new[] { new { token = token.Secret, type = "t", url = "https://x", source = "content" } });

        keys.Down = true;
        var down = await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken);
        await SampleServer.ProblemAsync(down, 503, "ServiceUnavailable.KeyServer");
        Assert.IsTrue(down.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        keys.Down = false;
        keys.Delay = TimeSpan.FromSeconds(5);
        time.Advance(TimeSpan.FromSeconds(6));   // past the back-off after a failed read
        var slow = await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken);
        await SampleServer.ProblemAsync(slow, 503, "ServiceUnavailable.KeyServer");
        Assert.AreEqual(HttpStatusCode.OK, await UseAsync(server, api, token.Secret), "an unverified report changed nothing");
    }

    [TestMethod]
    public async Task ANewKeyId_IsReadAgain_AtMostOnceAMinute()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<TimeProvider>(time), keys.SampleArgs);
        using var api = server.CreateClient();
        var body = JsonSerializer.Serialize(new[] { new { token = "some-secret-of-nobody-here", type = "t" } });
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(1, keys.Reads);

        keys.AddKey();   // GitHub rotates its key
        for (var i = 0; i < 5; i++)
        {
            await SampleServer.ProblemAsync(await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken), 401, "Unauthorized.UnknownKey");
        }

        Assert.AreEqual(1, keys.Reads, "unknown key ids within a minute of the last read do not reach the key server");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(2, keys.Reads);
    }

    [TestMethod]
    [TestCategory("R32")]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task PublicRevocation_AlwaysTheSame202_RetiresLiveSecrets_AndCountsAsFailures(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, [.. database.Args, "--ApiTokens:FailureLimit", "5"]);
        using var alice = await server.SignInAsync("alice");
        using var anyone = server.CreateClient();
        var found = await CreateAsync(alice, "pasted in a forum");

        var hit = await anyone.PostAsJsonAsync("/api/tokens/revoke", new { secrets = new[] { found.Secret } }, TestContext.CancellationToken);
        var miss = await anyone.PostAsJsonAsync("/api/tokens/revoke", new { secrets = new[] { "apt_nothing-here-000000000000000000000000000000" } }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Accepted, hit.StatusCode);
        Assert.AreEqual(HttpStatusCode.Accepted, miss.StatusCode);
        var hitBody = await hit.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(hitBody, await miss.Content.ReadAsStringAsync(TestContext.CancellationToken), "the answer says nothing about the secret");
        Assert.AreEqual(1, JsonDocument.Parse(hitBody).RootElement.GetProperty("received").GetInt32());
        // 202 Accepted: the request is durable and handled off the answer (at once, on this node).
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.Unauthorized, await UntilRefusedAsync(server, api, found.Secret));
        var events = await alice.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{found.Id}/events", TestContext.CancellationToken);
        Assert.AreEqual("revocation-request", events!.Single(e => e.GetProperty("action").GetString() == "token.retired").GetProperty("actor").GetString());

        await SampleServer.ProblemAsync(await anyone.PostAsJsonAsync("/api/tokens/revoke", new { secrets = Array.Empty<string>() }, TestContext.CancellationToken), 400, "InvalidRequest");
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/tokens/revoke") { Content = JsonContent.Create(new { secrets = new[] { "x" } }) };
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        await SampleServer.ProblemAsync(await anyone.SendAsync(crossSite, TestContext.CancellationToken), 403, "CrossOriginRequest");

        // Five failures allowed per window (this run's FailureLimit): the next request is throttled.
        var last = await anyone.PostAsJsonAsync("/api/tokens/revoke", new { secrets = new[] { "a" } }, TestContext.CancellationToken);
        for (var i = 0; i < 5 && last.StatusCode != HttpStatusCode.TooManyRequests; i++)
        {
            last = await anyone.PostAsJsonAsync("/api/tokens/revoke", new { secrets = new[] { "a" } }, TestContext.CancellationToken);
        }

        await SampleServer.ProblemAsync(last, 429, "TooManyRequests.AuthFailures");
        Assert.IsNotNull(last.Headers.RetryAfter);
    }

    // A report naming an unknown key id reads the keys again (here at once: no interval) while other
    // reports verify with the keys read before: a verification never meets a key disposed under it.
    [TestMethod]
    public async Task KeysReadAgainWhileOthersVerify_NoReportFails()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        await using var server = await SampleServer.StartAsync(null, ["--store", "inmemory", .. keys.SampleArgs, "--ApiTokens:LeakReports:KeysRefreshInterval", "00:00:00"]);
        using var api = server.CreateClient();
        var body = JsonSerializer.Serialize(new[] { new { token = "apt_not-a-secret-of-ours-at-all-0000000000", type = "apitokens_secret", url = "https://x", source = "content" } });

        async Task<HttpStatusCode[]> SendAsync(string? keyId, int count)
        {
            var statuses = new HttpStatusCode[count];
            for (var i = 0; i < count; i++)
            {
                using var request = keys.Report(server.Address, body, keyId);
                using var response = await api.SendAsync(request, TestContext.CancellationToken);
                statuses[i] = response.StatusCode;
            }

            return statuses;
        }

        var known = Enumerable.Range(0, 6).Select(_ => Task.Run(() => SendAsync(null, 300), TestContext.CancellationToken));
        var unknown = Enumerable.Range(0, 3).Select(_ => Task.Run(() => SendAsync("no-such-key", 300), TestContext.CancellationToken));
        var all = await Task.WhenAll(known.Concat(unknown));

        Assert.IsTrue(all.Take(6).SelectMany(s => s).All(s => s == HttpStatusCode.OK), "every report signed with a known key verifies");
        Assert.IsTrue(all.Skip(6).SelectMany(s => s).All(s => s == HttpStatusCode.Unauthorized), "an unknown key id is a 401, never a 500");
    }

    private async Task<(string Id, string Secret)> CreateAsync(HttpClient alice, string description)
    {
        var created = await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal", defaultAppState = "allow", description });
        return (created.GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    // The token's status once the revocation has been handled, asked again until then (at most 5 s).
    private async Task<HttpStatusCode> UntilRefusedAsync(SampleServer server, HttpClient api, string secret)
    {
        var until = Environment.TickCount64 + 5_000;
        var status = await UseAsync(server, api, secret);
        while (status == HttpStatusCode.OK && Environment.TickCount64 < until)
        {
            status = await UseAsync(server, api, secret);
        }

        return status;
    }

    private async Task<HttpStatusCode> UseAsync(SampleServer server, HttpClient api, string secret)
        => (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode;

    private static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
