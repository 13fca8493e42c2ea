using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.AspNetCore.Tests.Webhooks;

namespace ApiTokens.Sample.Tests.Api;

// R38 from outside: the sample as a process, its sweep every half second with an idle limit of two
// seconds, and a webhook receiver. The warnings arrive once each — across sweeps and across a restart
// of the node — and a restart with RetireUnusedAfter retires the idle token.
[TestClass]
[TestCategory("R38")]
public sealed class LifecycleApiTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Warnings_ArriveOnceEach_AcrossSweepsAndARestart_ThenIdleRetirement()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var directory = Directory.CreateTempSubdirectory("apitokens-lifecycle-");
        string[] args =
        [
            "--environment", "Development", "--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")}",
            "--ApiTokens:LifecycleSweepInterval=00:00:00.5", "--ApiTokens:UnusedWarningAfter=00:00:02",
        ];
        try
        {
            string tokenId;
            await using (var node = await SampleProcess.StartAsync(directory.FullName, args))
            {
                using var alice = await SignInAsync(node.Address);
                var register = await alice.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "token.expiring", "token.unused", "token.retired" } }, Ct);
                Assert.AreEqual(HttpStatusCode.Created, register.StatusCode, await register.Content.ReadAsStringAsync(Ct));
                receiver.Secrets.Add((await register.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!);
                var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "nightly job", lifetimeDays = 5 });
                tokenId = token.GetProperty("id").GetString()!;

                var expiring = await NextOfAsync(receiver, "token.expiring");
                Assert.AreEqual(5, expiring.GetProperty("data").GetProperty("daysLeft").GetInt32());
                Assert.AreEqual(tokenId, expiring.GetProperty("data").GetProperty("token").GetProperty("id").GetString());
                var unused = await NextOfAsync(receiver, "token.unused");
                Assert.AreEqual(JsonValueKind.Null, unused.GetProperty("data").GetProperty("lastUsedAt").ValueKind, "never used");
                await node.KillAsync();
            }

            // The restarted node remembers what was raised, and now retires the idle token: the next
            // delivery is the retirement — after a dozen sweeps, none of them repeated a warning.
            await using var restarted = await SampleProcess.StartAsync(directory.FullName, [.. args, "--ApiTokens:RetireUnusedAfter=00:00:04"]);
            var retired = await NextOfAsync(receiver, "token.retired");
            Assert.AreEqual("unused", retired.GetProperty("data").GetProperty("reason").GetString());
            Assert.AreEqual("policy:unused", retired.GetProperty("data").GetProperty("actor").GetString());
            Assert.AreEqual(tokenId, retired.GetProperty("data").GetProperty("token").GetProperty("id").GetString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    // The next delivery, which must be of this type (anything else first fails: it would be a repeat).
    private static async Task<JsonElement> NextOfAsync(WebhookReceiver receiver, string type)
    {
        var received = await receiver.NextAsync(TimeSpan.FromSeconds(30));
        Assert.HasCount(1, received.VerifiedBy, "verified by the StandardWebhooks package");
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.AreEqual(type, body.GetProperty("type").GetString(), received.Body);
        return body;
    }

    private static async Task<HttpClient> SignInAsync(Uri address)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = address };
        Assert.AreEqual(HttpStatusCode.OK, (await client.PostAsJsonAsync("/login", new { userName = "alice" })).StatusCode);
        return client;
    }
}
