using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Management;
using ApiTokens.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Tests.Webhooks;

// The management API of webhook endpoints (R37) over HTTP: who may, what is refused, what a response
// shows. Public addresses here are documentation ones (TEST-NET-3), so no name is resolved.
[TestClass]
public sealed class WebhookEndpointTests
{
    private const string PublicUrl = "https://203.0.113.10/hooks/apitokens";

    public TestContext TestContext { get; set; } = null!;

    private static Task<ApiHost> StartAsync(Action<ApiTokenWebhookOptions>? configure = null, bool coreOnlyStore = false)
        => ApiHost.StartAsync(
            coreOnlyStore: coreOnlyStore,
            start: DateTimeOffset.UtcNow,
            services: s => s.Configure<ApiTokenWebhookOptions>(o => configure?.Invoke(o)));

    private async Task<HttpResponseMessage> RegisterAsync(HttpClient client, object body)
        => await client.PostAsJsonAsync("/api/webhooks", body, TestContext.CancellationToken);

    private async Task<JsonElement> ListAsync(HttpClient client)
        => await client.GetFromJsonAsync<JsonElement>("/api/webhooks", TestContext.CancellationToken);

    [TestMethod]
    [TestCategory("R37")]
    public async Task Register_Is201WithAWhsecSecretShownOnce_ThenListedAndReadWithoutIt()
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);

        var response = await RegisterAsync(alice, new { url = PublicUrl, events = new[] { "token.created", "token.retired" }, description = "chat" });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var id = created.GetProperty("id").GetString()!;
        var list = await ListAsync(alice);
        var read = await alice.GetFromJsonAsync<JsonElement>("/api/webhooks/" + id, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        Assert.AreEqual("/api/webhooks/" + id, response.Headers.Location?.OriginalString);
        Assert.IsTrue(response.Headers.CacheControl?.NoStore);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        Assert.HasCount(32, Convert.FromBase64String(secret["whsec_".Length..]), "whsec_ and base64 of 32 random bytes");
        Assert.AreEqual(PublicUrl, created.GetProperty("url").GetString());
        CollectionAssert.AreEqual(new[] { "token.created", "token.retired" }, created.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual("chat", created.GetProperty("description").GetString());
        Assert.IsTrue(created.GetProperty("enabled").GetBoolean());
        Assert.AreEqual("alice", created.GetProperty("createdBy").GetString());
        Assert.AreEqual(1, list.GetArrayLength());
        Assert.IsFalse(list[0].TryGetProperty("secret", out _), "shown once");
        Assert.IsFalse(read.TryGetProperty("secret", out _));
        Assert.AreEqual(id, read.GetProperty("id").GetString());
        Assert.DoesNotContain(secret, string.Join('\n', host.Logs.GetSnapshot().Select(r => r.Message)), "never logged");
        var events = await alice.GetFromJsonAsync<JsonElement>("/api/tokens/events", TestContext.CancellationToken);
        Assert.IsTrue(events.EnumerateArray().Any(e => e.GetProperty("action").GetString() == "webhook.created" && e.GetProperty("tokenId").GetString() == id));
        Assert.DoesNotContain(secret, events.ToString(), "nor audited");
    }

    [TestMethod]
    [TestCategory("R37")]
    [DataRow("http://203.0.113.10/hooks", DisplayName = "http")]
    [DataRow("https://127.0.0.1/hooks", DisplayName = "loopback")]
    [DataRow("https://localhost/hooks", DisplayName = "a name resolving to loopback")]
    [DataRow("https://10.20.30.40/hooks", DisplayName = "private 10/8")]
    [DataRow("https://172.16.0.1/hooks", DisplayName = "private 172.16/12")]
    [DataRow("https://192.168.1.1/hooks", DisplayName = "private 192.168/16")]
    [DataRow("https://169.254.169.254/latest/meta-data", DisplayName = "link-local (cloud metadata)")]
    [DataRow("https://100.64.0.1/hooks", DisplayName = "shared 100.64/10")]
    [DataRow("https://0.0.0.0/hooks", DisplayName = "unspecified")]
    [DataRow("https://[::1]/hooks", DisplayName = "IPv6 loopback")]
    [DataRow("https://[fd12:3456::1]/hooks", DisplayName = "unique-local")]
    [DataRow("https://[fe80::1]/hooks", DisplayName = "IPv6 link-local")]
    [DataRow("https://[::ffff:127.0.0.1]/hooks", DisplayName = "IPv4-mapped loopback")]
    [DataRow("https://[::ffff:10.0.0.1]/hooks", DisplayName = "IPv4-mapped private")]
    [DataRow("https://[64:ff9b::a00:1]/hooks", DisplayName = "NAT64 of a private address")]
    [DataRow("https://2130706433/hooks", DisplayName = "loopback as one decimal number")]
    [DataRow("https://0x7f.1/hooks", DisplayName = "loopback in hex parts")]
    [DataRow("https://user:pass@203.0.113.10/hooks", DisplayName = "user information")]
    [DataRow("ftp://203.0.113.10/hooks", DisplayName = "another scheme")]
    [DataRow("/hooks", DisplayName = "relative")]
    public async Task ForbiddenUrls_Are400InvalidWebhookUrl_AndChangeNothing(string url)
    {
        await using var host = await StartAsync(o => o.AllowPrivateNetworks = false);
        var alice = await host.SignInAsync(ApiHost.Alice);

        var response = await RegisterAsync(alice, new { url });

        await ApiHost.ProblemAsync(response, 400, "InvalidWebhookUrl");
        Assert.AreEqual(0, (await ListAsync(alice)).GetArrayLength());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AChangeToAForbiddenUrl_Is400_AndKeepsTheEndpoint()
    {
        await using var host = await StartAsync(o => o.AllowPrivateNetworks = false);
        var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await RegisterAsync(alice, new { url = PublicUrl })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();

        var response = await alice.PatchAsJsonAsync("/api/webhooks/" + id, new { url = "https://[::ffff:127.0.0.1]/x" }, TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 400, "InvalidWebhookUrl");
        Assert.AreEqual(PublicUrl, (await alice.GetFromJsonAsync<JsonElement>("/api/webhooks/" + id, TestContext.CancellationToken)).GetProperty("url").GetString());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AllowPrivateNetworks_AcceptsHttpAndLoopback()
    {
        await using var host = await StartAsync(o => o.AllowPrivateNetworks = true);
        var alice = await host.SignInAsync(ApiHost.Alice);

        var response = await RegisterAsync(alice, new { url = "http://127.0.0.1:5050/hooks" });

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
    }

    [TestMethod]
    [TestCategory("R37")]
    [DataRow("""{"url":"https://203.0.113.10/h","events":["token.exploded"]}""", 400, "InvalidWebhookEvents", DisplayName = "an unknown event type")]
    [DataRow("""{"url":"https://203.0.113.10/h","events":[]}""", 400, "InvalidWebhookEvents", DisplayName = "no event type (absent means all)")]
    [DataRow("""{"url":"https://203.0.113.10/h","events":["token.created","token.created"]}""", 400, "InvalidWebhookEvents", DisplayName = "a repeated type")]
    [DataRow("""{"events":["token.created"]}""", 400, "InvalidRequest", DisplayName = "no url")]
    [DataRow("""{"url":42}""", 400, "InvalidRequest", DisplayName = "a url that is a number")]
    [DataRow("""{"url":"https://203.0.113.10/h","enabled":"yes"}""", 400, "InvalidRequest", DisplayName = "an unknown member")]
    [DataRow("""not json""", 400, "InvalidRequest", DisplayName = "not JSON")]
    public async Task BadBodies_Are400_AndChangeNothing(string body, int status, string code)
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);

        var response = await alice.PostAsync("/api/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, status, code);
        Assert.AreEqual(0, (await ListAsync(alice)).GetArrayLength());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task OnlyAdminsOfTheAccount_ManageItsEndpoints()
    {
        await using var host = await StartAsync();
        host.Members.SetRole("globex", "dave", TokenPrivilege.Admin);
        var alice = await host.SignInAsync(ApiHost.Alice);
        var bob = await host.SignInAsync(ApiHost.Bob);
        var dave = await host.SignInAsync(new ApiTokenActor("globex", "dave"));
        var id = (await (await RegisterAsync(alice, new { url = PublicUrl })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();

        await ApiHost.ProblemAsync(await RegisterAsync(bob, new { url = PublicUrl }), 403, "WebhooksRequireAdmin");
        await ApiHost.ProblemAsync(await bob.GetAsync("/api/webhooks", TestContext.CancellationToken), 403, "WebhooksRequireAdmin");
        await ApiHost.ProblemAsync(await bob.DeleteAsync("/api/webhooks/" + id, TestContext.CancellationToken), 403, "WebhooksRequireAdmin");
        await ApiHost.ProblemAsync(await dave.GetAsync("/api/webhooks/" + id, TestContext.CancellationToken), 404, "WebhookNotFound");
        await ApiHost.ProblemAsync(await dave.DeleteAsync("/api/webhooks/" + id, TestContext.CancellationToken), 404, "WebhookNotFound");
        await ApiHost.ProblemAsync(await dave.PostAsync($"/api/webhooks/{id}/rotate-secret", null, TestContext.CancellationToken), 404, "WebhookNotFound");
        Assert.AreEqual(0, (await ListAsync(dave)).GetArrayLength(), "another account sees none of them");
        Assert.AreEqual(401, (int)(await host.Client.GetAsync("/api/webhooks", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(1, (await ListAsync(alice)).GetArrayLength(), "still there");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task Change_SetsWhatItNames_AndNullEventsMeansAll()
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await RegisterAsync(alice, new { url = PublicUrl, events = new[] { "token.created" }, description = "chat" })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();

        var disabled = await alice.PatchAsJsonAsync("/api/webhooks/" + id, new { enabled = false, description = "paused" }, TestContext.CancellationToken);
        var disabledBody = await disabled.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var all = await alice.PatchAsync("/api/webhooks/" + id, new StringContent("""{"events":null,"url":"https://203.0.113.11/x"}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        var allBody = await all.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, disabled.StatusCode);
        Assert.IsFalse(disabledBody.GetProperty("enabled").GetBoolean());
        Assert.AreEqual("paused", disabledBody.GetProperty("description").GetString());
        Assert.AreEqual("token.created", disabledBody.GetProperty("events")[0].GetString(), "untouched when not named");
        Assert.AreEqual(HttpStatusCode.OK, all.StatusCode);
        Assert.AreEqual(JsonValueKind.Null, allBody.GetProperty("events").ValueKind, "null: every type");
        Assert.AreEqual("https://203.0.113.11/x", allBody.GetProperty("url").GetString());
        Assert.IsFalse(allBody.GetProperty("enabled").GetBoolean());
        await ApiHost.ProblemAsync(await alice.PatchAsJsonAsync("/api/webhooks/nope", new { enabled = true }, TestContext.CancellationToken), 404, "WebhookNotFound");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task Delete_Is204_ThenTheEndpointAndItsDeliveriesAre404()
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await RegisterAsync(alice, new { url = PublicUrl })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();

        var deleted = await alice.DeleteAsync("/api/webhooks/" + id, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.NoContent, deleted.StatusCode);
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/webhooks/" + id, TestContext.CancellationToken), 404, "WebhookNotFound");
        await ApiHost.ProblemAsync(await alice.GetAsync($"/api/webhooks/{id}/deliveries", TestContext.CancellationToken), 404, "WebhookNotFound");
        await ApiHost.ProblemAsync(await alice.DeleteAsync("/api/webhooks/" + id, TestContext.CancellationToken), 404, "WebhookNotFound");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task Deliveries_ArePagedNewestFirst_WithALinkToTheNext()
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await RegisterAsync(alice, new { url = PublicUrl })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();
        var tests = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var test = await alice.PostAsync($"/api/webhooks/{id}/test", null, TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.Accepted, test.StatusCode);
            tests.Add((await test.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString()!);
        }

        var first = await alice.GetAsync($"/api/webhooks/{id}/deliveries?limit=2", TestContext.CancellationToken);
        var firstPage = await first.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var next = first.Headers.GetValues("Link").Single();
        var nextPath = next[(next.IndexOf('<') + 1)..next.IndexOf('>')];
        var secondPage = await alice.GetFromJsonAsync<JsonElement>(nextPath, TestContext.CancellationToken);
        var foreign = await alice.GetAsync("/api/tokens?cursor=" + Uri.EscapeDataString(nextPath[(nextPath.IndexOf("cursor=", StringComparison.Ordinal) + 7)..]), TestContext.CancellationToken);

        tests.Reverse();
        CollectionAssert.AreEqual(tests, firstPage.EnumerateArray().Concat(secondPage.EnumerateArray()).Select(d => d.GetProperty("id").GetString()).ToArray());
        Assert.AreEqual("webhook.test", firstPage[0].GetProperty("type").GetString());
        Assert.IsTrue(firstPage[0].TryGetProperty("eventId", out _));
        Assert.IsTrue(firstPage[0].TryGetProperty("nextAttemptAt", out _));
        Assert.IsTrue(firstPage[0].TryGetProperty("lastStatusCode", out _));
        Assert.IsTrue(next.EndsWith("rel=\"next\"", StringComparison.Ordinal));
        Assert.AreEqual(HttpStatusCode.BadRequest, foreign.StatusCode, "a cursor of one list is no cursor of another");
        await ApiHost.ProblemAsync(await alice.GetAsync($"/api/webhooks/{id}/deliveries?limit=0", TestContext.CancellationToken), 400, "InvalidRequest");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task TestAndRetry_Are202_ForTheEndpointsOwnDeliveriesOnly()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (n, _) => Task.FromResult(n == 1 ? 500 : 204);
        await using var host = await StartAsync(o =>
        {
            o.AllowPrivateNetworks = true;
            o.RetrySchedule = [TimeSpan.FromDays(1)];
        });
        var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await RegisterAsync(alice, new { url = receiver.Url })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();
        var other = (await (await RegisterAsync(alice, new { url = PublicUrl })).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();

        var test = await alice.PostAsync($"/api/webhooks/{id}/test", null, TestContext.CancellationToken);
        var delivery = (await test.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("id").GetString();
        var first = await receiver.NextAsync();
        await UntilAsync(alice, id!, delivery!, d => d.GetProperty("attempts").GetInt32() == 1 && d.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Number);
        await ApiHost.ProblemAsync(await alice.PostAsync($"/api/webhooks/{other}/deliveries/{delivery}/retry", null, TestContext.CancellationToken), 404, "DeliveryNotFound");
        await ApiHost.ProblemAsync(await alice.PostAsync($"/api/webhooks/{id}/deliveries/nope/retry", null, TestContext.CancellationToken), 404, "DeliveryNotFound");
        var retry = await alice.PostAsync($"/api/webhooks/{id}/deliveries/{delivery}/retry", null, TestContext.CancellationToken);
        var again = await receiver.NextAsync();

        Assert.AreEqual(HttpStatusCode.Accepted, test.StatusCode);
        Assert.AreEqual(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.AreEqual(delivery, first.Id);
        Assert.AreEqual(delivery, again.Id, "a retry keeps the webhook-id");
        using var body = JsonDocument.Parse(first.Body);
        Assert.AreEqual("webhook.test", body.RootElement.GetProperty("type").GetString());
        await UntilAsync(alice, id!, delivery!, d => d.GetProperty("status").GetString() == "delivered" && d.GetProperty("attempts").GetInt32() == 2);
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task MoreEndpointsThanTheAccountMayHave_Is409()
    {
        await using var host = await StartAsync(o => o.MaxEndpointsPerAccount = 2);
        var alice = await host.SignInAsync(ApiHost.Alice);
        await RegisterAsync(alice, new { url = PublicUrl });
        await RegisterAsync(alice, new { url = PublicUrl });

        await ApiHost.ProblemAsync(await RegisterAsync(alice, new { url = PublicUrl }), 409, "TooManyWebhooks");

        Assert.AreEqual(2, (await ListAsync(alice)).GetArrayLength());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AStoreWithoutWebhooks_Is501()
    {
        await using var host = await StartAsync(coreOnlyStore: true);
        var alice = await host.SignInAsync(ApiHost.Alice);

        await ApiHost.ProblemAsync(await RegisterAsync(alice, new { url = PublicUrl }), 501, "WebhooksNotSupported");
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/webhooks", TestContext.CancellationToken), 501, "WebhooksNotSupported");
        Assert.AreEqual(HttpStatusCode.Created, (await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, TestContext.CancellationToken)).StatusCode, "tokens work without webhooks");
    }

    private async Task UntilAsync(HttpClient admin, string webhook, string delivery, Func<JsonElement, bool> condition)
    {
        var last = "";
        for (var i = 0; i < 1000; i++)
        {
            var deliveries = await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{webhook}/deliveries", TestContext.CancellationToken);
            last = deliveries.ToString();
            if (deliveries.EnumerateArray().Any(d => d.GetProperty("id").GetString() == delivery && condition(d)))
            {
                return;
            }

            await Task.Delay(10, TestContext.CancellationToken);
        }

        throw new AssertFailedException("The delivery never reached the expected state: " + last);
    }
}
