using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// R24 through the front door: after a scripted series of changes the events endpoints list
// exactly those changes with their actors, nothing for refused ones, with R5's visibility.
[TestClass]
public sealed class AuditApiTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R24")]
    public async Task Events_ListExactlyTheScriptedChanges_WithActors_NothingForRefusedOnes_NoSecret()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "pending", description = "deploys" });
        var id = created.GetProperty("id").GetString()!;
        var secret = created.GetProperty("secret").GetString()!;

        Assert.AreEqual(HttpStatusCode.OK, (await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { privilege = "normal" }, Ct)).StatusCode);
        await SampleServer.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { privilege = "admin" }, Ct), 403, "PrivilegeExceedsRole");
        await SampleServer.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = new string('x', 300) }, Ct), 400, "InvalidRequest");
        using var api = server.CreateClient();
        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "nightly"), Ct), 401, "Unauthorized.PendingApp");
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync($"/api/tokens/{id}/apps/nightly", new { state = "allow" }, Ct)).StatusCode);
        var rotated = await (await bob.PostAsJsonAsync($"/api/tokens/{id}/rotate", new { gracePeriodSeconds = 60 }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.AreEqual(HttpStatusCode.OK, (await bob.PostAsync($"/api/tokens/{id}/retire", null, Ct)).StatusCode);
        await SampleServer.ProblemAsync(await bob.PostAsync($"/api/tokens/{id}/promote", null, Ct), 403, "PromoteRequiresAdmin");

        var response = await bob.GetAsync($"/api/tokens/{id}/events", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        var events = JsonDocument.Parse(text).RootElement.EnumerateArray().ToArray();

        CollectionAssert.AreEqual(
            new[] { "token.retired", "token.rotated", "app.decided", "app.first_seen", "token.updated", "token.created" },
            events.Select(e => e.GetProperty("action").GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { "bob", "bob", "alice", "app:nightly", "bob", "bob" }, events.Select(e => e.GetProperty("actor").GetString()).ToArray());
        var update = events[4].GetProperty("details");
        Assert.AreEqual("readOnly", update.GetProperty("privilege").GetProperty("old").GetString());
        Assert.AreEqual("normal", update.GetProperty("privilege").GetProperty("new").GetString());
        Assert.AreEqual("pending", events[3].GetProperty("details").GetProperty("state").GetProperty("new").GetString());
        Assert.AreEqual("allow", events[2].GetProperty("details").GetProperty("state").GetProperty("new").GetString());
        Assert.IsTrue(events.All(e => e.GetProperty("tokenId").GetString() == id && e.GetProperty("accountId").GetString() == "acme" && e.TryGetProperty("at", out _) && e.GetProperty("id").GetString()!.Length > 0));
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain(rotated.GetProperty("secret").GetString()!, text);
    }

    [TestMethod]
    [TestCategory("R24")]
    [TestCategory("R5")]
    public async Task Events_FollowVisibility_TheAccountsAreForAdmins_AndArePaged()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        using var bob = await server.SignInAsync("bob");
        var alices = (await SampleServer.CreateTokenAsync(alice, new { type = "user" })).GetProperty("id").GetString()!;
        for (var i = 0; i < 3; i++)
        {
            await alice.PatchAsJsonAsync($"/api/tokens/{alices}", new { description = "v" + i }, Ct);
        }

        await SampleServer.ProblemAsync(await bob.GetAsync($"/api/tokens/{alices}/events", Ct), 404, "TokenNotFound");
        await SampleServer.ProblemAsync(await bob.GetAsync("/api/tokens/events", Ct), 403, "AccountEventsRequireAdmin");
        await SampleServer.ProblemAsync(await alice.GetAsync("/api/tokens/events?limit=0", Ct), 400, "InvalidRequest");

        var first = await alice.GetAsync("/api/tokens/events?limit=3", Ct);
        Assert.AreEqual(HttpStatusCode.OK, first.StatusCode);
        Assert.HasCount(3, (await first.Content.ReadFromJsonAsync<JsonElement[]>(Ct))!);
        var next = first.Headers.GetValues("Link").Single();
        StringAssert.Contains(next, "rel=\"next\"");
        var url = next[(next.IndexOf('<') + 1)..next.IndexOf('>')];
        var rest = (await alice.GetFromJsonAsync<JsonElement[]>(url, Ct))!;
        Assert.AreEqual("token.created", rest.Single().GetProperty("action").GetString());
    }
}
