using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.AspNetCore.Tests.Webhooks;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Npgsql;

namespace ApiTokens.Sample.Tests.Api;

// R37 on the sample: a real receiver (Kestrel, verifying with the StandardWebhooks package), a node
// killed between a change and its delivery, two nodes on one PostgreSQL, and the URLs the sample
// refuses outside Development.
[TestClass]
[TestCategory("R37")]
public sealed class WebhookTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task InDevelopment_ALocalReceiverGetsTheEventsItAskedFor_Verified()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sample = await SampleServer.StartAsync(null, "--environment", "Development");
        using var alice = await sample.SignInAsync("alice");
        var webhook = await RegisterAsync(alice, receiver, ["token.created", "token.retired"]);

        var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "webhook test" });
        var id = token.GetProperty("id").GetString()!;
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "not announced" }, Ct)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PostAsync($"/api/tokens/{id}/retire", null, Ct)).StatusCode);
        var created = await receiver.NextAsync();
        var retired = await receiver.NextAsync();

        foreach (var (received, type) in new[] { (created, "token.created"), (retired, "token.retired") })
        {
            Assert.HasCount(1, received.VerifiedBy, "verified by the StandardWebhooks package");
            using var body = JsonDocument.Parse(received.Body);
            Assert.AreEqual(type, body.RootElement.GetProperty("type").GetString());
            Assert.AreEqual(id, body.RootElement.GetProperty("data").GetProperty("token").GetProperty("id").GetString());
            Assert.DoesNotContain(token.GetProperty("secret").GetString()!, received.Body);
        }

        using var retiredBody = JsonDocument.Parse(retired.Body);
        Assert.AreEqual("owner", retiredBody.RootElement.GetProperty("data").GetProperty("reason").GetString());
        Assert.AreNotEqual(created.Id, retired.Id);
        await DeliveredAsync(alice, webhook, 2);
        Assert.AreEqual(2, receiver.Count, "the update was filtered out");
    }

    [TestMethod]
    [DataRow("http://hooks.example.com/apitokens", DisplayName = "http")]
    [DataRow("https://127.0.0.1/hook", DisplayName = "loopback")]
    [DataRow("https://localhost/hook", DisplayName = "localhost")]
    [DataRow("https://10.1.2.3/hook", DisplayName = "private")]
    [DataRow("https://169.254.169.254/latest/meta-data/", DisplayName = "link-local metadata")]
    [DataRow("https://[::1]/hook", DisplayName = "IPv6 loopback")]
    [DataRow("https://[fd00::1]/hook", DisplayName = "unique-local")]
    [DataRow("https://[::ffff:127.0.0.1]/hook", DisplayName = "IPv4-mapped loopback")]
    public async Task OutsideDevelopment_PrivateAndPlainHttpUrls_Are400InvalidWebhookUrl(string url)
    {
        await using var sample = await SampleServer.StartAsync();
        using var alice = await sample.SignInAsync("alice");

        var response = await alice.PostAsJsonAsync("/api/webhooks", new { url }, Ct);

        await SampleServer.ProblemAsync(response, 400, "InvalidWebhookUrl");
        Assert.AreEqual(0, (await alice.GetFromJsonAsync<JsonElement>("/api/webhooks", Ct)).GetArrayLength());
    }

    [TestMethod]
    public async Task ANodeKilledMidDelivery_ItsRestartDeliversIt_WithTheSameWebhookId()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var hang = new TaskCompletionSource();
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Respond = async (n, context) =>
        {
            if (n == 1)
            {
                // The first attempt never gets an answer: the node dies waiting for it.
                arrived.TrySetResult(context.Request.Headers["webhook-id"].ToString());
                await hang.Task;
            }

            return 204;
        };
        var directory = Directory.CreateTempSubdirectory("apitokens-kill-");
        string[] args =
        [
            "--environment", "Development", "--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")}",
            "--ApiTokens:Webhooks:Timeout=00:00:03",
        ];
        try
        {
            string webhook;
            string first;
            await using (var node = await SampleProcess.StartAsync(directory.FullName, args))
            {
                using var alice = await SignInAsync(node.Address);
                webhook = await RegisterAsync(alice, receiver);
                await SampleServer.CreateTokenAsync(alice, new { type = "user" });
                first = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
                await node.KillAsync();
            }

            await using var restarted = await SampleProcess.StartAsync(directory.FullName, args);
            var again = await receiver.NextAsync(TimeSpan.FromSeconds(60));
            using var admin = await SignInAsync(restarted.Address);
            var deliveries = await DeliveredAsync(admin, webhook, 1);

            Assert.AreEqual(first, again.Id, "at least once, with the same webhook-id");
            Assert.HasCount(1, again.VerifiedBy, "the restarted node signs with the same secret (Data Protection keys outlive the process)");
            Assert.AreEqual(first, deliveries[0].GetProperty("id").GetString());
        }
        finally
        {
            hang.TrySetResult();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("R26")]
    public async Task TwoNodesOnOnePostgreSql_SendEachDeliveryOnce()
    {
        await using var cluster = await PostgresClusters.StartForTestsAsync();
        var database = "hooks_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        string[] args = ["--store", "postgres", "--connection", cluster.ConnectionString(database), "--ApiTokens:Webhooks:AllowPrivateNetworks=true"];
        await using var a = await SampleServer.StartAsync(null, args);
        await using var b = await SampleServer.StartAsync(null, args);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var onA = await a.SignInAsync("alice");
        using var onB = await b.SignInAsync("alice");
        var webhook = await RegisterAsync(onA, receiver, ["token.created"]);

        // Changes on both nodes; each node's sender wakes on its own changes and polls for the rest.
        const int Changes = 30;
        await Task.WhenAll(Enumerable.Range(0, Changes).Select(i => SampleServer.CreateTokenAsync(i % 2 == 0 ? onA : onB, new { type = "account" })));
        var deliveries = await DeliveredAsync(onB, webhook, Changes);

        var received = new List<WebhookReceiver.Received>();
        while (receiver.TryNext(out var next))
        {
            received.Add(next);
        }

        Assert.HasCount(Changes, received, "a healthy receiver gets each delivery once");
        CollectionAssert.AllItemsAreUnique(received.Select(r => r.Id).ToArray());
        Assert.IsTrue(deliveries.All(d => d.GetProperty("attempts").GetInt32() == 1), "each attempt made by one node");
        Assert.IsTrue(received.All(r => r.VerifiedBy.Count == 1), "both nodes sign with the secret");
    }

    private static async Task<HttpClient> SignInAsync(Uri address)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = address };
        Assert.AreEqual(HttpStatusCode.OK, (await client.PostAsJsonAsync("/login", new { userName = "alice" })).StatusCode);
        return client;
    }

    private async Task<string> RegisterAsync(HttpClient admin, WebhookReceiver receiver, string[]? events = null)
    {
        var response = await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events }, Ct);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        receiver.Secrets.Add(body.GetProperty("secret").GetString()!);
        return body.GetProperty("id").GetString()!;
    }

    // Waits (really: the senders run on their own) until the endpoint has n deliveries, all delivered.
    private async Task<JsonElement[]> DeliveredAsync(HttpClient admin, string webhook, int n)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var last = "";
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{webhook}/deliveries?limit=1000", Ct);
            last = page.ToString();
            var deliveries = page.EnumerateArray().ToArray();
            if (deliveries.Length == n && deliveries.All(d => d.GetProperty("status").GetString() == "delivered"))
            {
                return deliveries;
            }

            await Task.Delay(50, Ct);
        }

        throw new AssertFailedException($"Not {n} delivered deliveries within 60 s: {last}");
    }
}
