using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Management;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// the management API (docs/management-api.md) over HTTP: quotas (409 TooManyTokens), paged lists with a Link header, ETag on every token
// response, If-Match on every change (412 on mismatch, nothing changed).
[TestClass]
public sealed class PagingAndPreconditionTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R28")]
    public async Task Create_OverTheQuota_409TooManyTokens()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.MaxActiveTokensPerUser = 2);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        for (var i = 0; i < 2; i++)
        {
            Assert.AreEqual(HttpStatusCode.Created, (await bob.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct)).StatusCode);
        }

        var refused = await bob.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct);

        await ApiHost.ProblemAsync(refused, 409, ApiTokenErrorCodes.TooManyTokens);
        Assert.AreEqual(2, host.Store.Count);
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task List_Paged_LinkHeaderLeadsThroughEveryToken()
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await (await bob.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<string>();
        var next = "/api/tokens?limit=2";
        var pages = 0;
        while (next is not null)
        {
            var response = await bob.GetAsync(next, Ct);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            var items = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.AreEqual(JsonValueKind.Array, items.ValueKind, "the body stays an array");
            seen.AddRange(items.EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            next = response.Headers.TryGetValues("Link", out var link) ? ParseNext(link.Single()) : null;
            pages++;
        }

        created.Reverse();
        CollectionAssert.AreEqual(created, seen, "newest first");
        Assert.AreEqual(3, pages);
        var all = await bob.GetAsync("/api/tokens", Ct);
        Assert.IsFalse(all.Headers.Contains("Link"), "one page when everything fits the default limit");
    }

    [TestMethod]
    [TestCategory("R28")]
    [DataRow("limit=0")]
    [DataRow("limit=1001")]
    [DataRow("limit=abc")]
    [DataRow("limit=1&limit=2")]
    [DataRow("cursor=bm9wZQ")]
    [DataRow("cursor=%00")]
    public async Task List_BadLimitOrCursor_400(string query)
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);

        await ApiHost.ProblemAsync(await bob.GetAsync("/api/tokens?" + query, Ct), 400, ApiTokenErrorCodes.InvalidRequest);
    }

    [TestMethod]
    [TestCategory("R28")]
    [TestCategory("R5")]
    public async Task Cursors_AreSealedForTheirAccountAndList_AForgedOrForeignCursorIs400()
    {
        await using var host = await ApiHost.StartAsync();
        host.Members.SetRole("globex", "dave", TokenPrivilege.Admin);
        using var alice = await host.SignInAsync(ApiHost.Alice);
        using var dave = await host.SignInAsync(new ApiTokenActor("globex", "dave"));
        for (var i = 0; i < 3; i++)
        {
            await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct);
            await dave.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var tokensNext = ParseNext((await alice.GetAsync("/api/tokens?limit=1", Ct)).Headers.GetValues("Link").Single());
        var eventsNext = ParseNext((await alice.GetAsync("/api/tokens/events?limit=1", Ct)).Headers.GetValues("Link").Single());
        var eventsCursor = Uri.UnescapeDataString(eventsNext[(eventsNext.IndexOf("cursor=", StringComparison.Ordinal) + 7)..]);
        var tokensCursor = Uri.UnescapeDataString(tokensNext[(tokensNext.IndexOf("cursor=", StringComparison.Ordinal) + 7)..]);

        Assert.AreEqual(HttpStatusCode.OK, (await alice.GetAsync(tokensNext, Ct)).StatusCode, "the cursor works for whom it was given");
        Assert.IsFalse(long.TryParse(eventsCursor, out _), "an events cursor does not show the shared sequence");
        await ApiHost.ProblemAsync(await dave.GetAsync(tokensNext, Ct), 400, ApiTokenErrorCodes.InvalidRequest);
        await ApiHost.ProblemAsync(await dave.GetAsync(eventsNext, Ct), 400, ApiTokenErrorCodes.InvalidRequest);
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/tokens/events?limit=1&cursor=" + Uri.EscapeDataString(tokensCursor), Ct), 400, ApiTokenErrorCodes.InvalidRequest);
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/tokens?limit=1&cursor=" + Uri.EscapeDataString(eventsCursor), Ct), 400, ApiTokenErrorCodes.InvalidRequest);
        var tampered = tokensCursor[..^2] + (tokensCursor[^2] == 'A' ? "B" : "A") + tokensCursor[^1];
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/tokens?limit=1&cursor=" + Uri.EscapeDataString(tampered), Ct), 400, ApiTokenErrorCodes.InvalidRequest);

        // What the manager's own cursor looks like (its position, base64url): not accepted over HTTP.
        var raw = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes($"2.{host.Time.GetUtcNow().UtcTicks}.abc"));
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/tokens?limit=1&cursor=" + raw, Ct), 400, ApiTokenErrorCodes.InvalidRequest);
        await ApiHost.ProblemAsync(await alice.GetAsync("/api/tokens/events?limit=1&cursor=5", Ct), 400, ApiTokenErrorCodes.InvalidRequest);
    }

    [TestMethod]
    public async Task EveryTokenResponse_CarriesItsVersionAsETag()
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var created = await bob.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        Assert.AreEqual("\"1\"", created.Headers.ETag?.ToString());

        var changed = await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "x" }, Ct);
        var read = await bob.GetAsync($"/api/tokens/{id}", Ct);

        Assert.AreEqual("\"2\"", changed.Headers.ETag?.ToString());
        Assert.AreEqual("\"2\"", read.Headers.ETag?.ToString());
        Assert.AreEqual(2, (await read.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt64());
    }

    [TestMethod]
    [DataRow("PATCH", "", "{\"description\":\"stale\"}")]
    [DataRow("PUT", "/apps/cosi", "{\"state\":\"deny\"}")]
    [DataRow("POST", "/retire", null)]
    [DataRow("POST", "/promote", null)]
    public async Task Change_WithAStaleIfMatch_412ConcurrencyConflict_NothingChanges(string method, string suffix, string? body)
    {
        await using var host = await ApiHost.StartAsync();
        using var alice = await host.SignInAsync(ApiHost.Alice);
        var id = (await (await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "newer" }, Ct)).StatusCode);

        var stale = await alice.SendAsync(Change(method, $"/api/tokens/{id}{suffix}", body, "\"1\""), Ct);

        await ApiHost.ProblemAsync(stale, 412, ApiTokenErrorCodes.ConcurrencyConflict);
        var token = (await host.Store.FindByIdAsync(id, Ct))!;
        Assert.AreEqual(2, token.Version);
        Assert.AreEqual("newer", token.Description);

        var current = await alice.SendAsync(Change(method, $"/api/tokens/{id}{suffix}", body, "\"2\""), Ct);
        Assert.AreEqual(HttpStatusCode.OK, current.StatusCode, await current.Content.ReadAsStringAsync(Ct));
        Assert.AreEqual("\"3\"", current.Headers.ETag?.ToString());
    }

    [TestMethod]
    [DataRow("*", HttpStatusCode.OK)]
    [DataRow("W/\"1\"", HttpStatusCode.PreconditionFailed)]
    [DataRow("\"other\"", HttpStatusCode.PreconditionFailed)]
    [DataRow("not-quoted", HttpStatusCode.BadRequest)]
    [DataRow("\"1\", \"2\"", HttpStatusCode.BadRequest)]
    public async Task IfMatch_Forms(string ifMatch, HttpStatusCode expected)
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var id = (await (await bob.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        var response = await bob.SendAsync(Change("POST", $"/api/tokens/{id}/retire", null, ifMatch), Ct);

        Assert.AreEqual(expected, response.StatusCode);
        Assert.AreEqual(expected == HttpStatusCode.OK, (await host.Store.FindByIdAsync(id, Ct))!.IsRetired);
    }

    [TestMethod]
    public async Task IfMatch_OnAnInvisibleToken_StillNotFound()
    {
        await using var host = await ApiHost.StartAsync();
        using var alice = await host.SignInAsync(ApiHost.Alice);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var id = (await (await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;

        var response = await bob.SendAsync(Change("POST", $"/api/tokens/{id}/retire", null, "\"9\""), Ct);

        await ApiHost.ProblemAsync(response, 404, ApiTokenErrorCodes.TokenNotFound);
    }

    private static HttpRequestMessage Change(string method, string path, string? body, string ifMatch)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static string ParseNext(string link)
    {
        var start = link.IndexOf('<', StringComparison.Ordinal) + 1;
        var end = link.IndexOf('>', StringComparison.Ordinal);
        StringAssert.Contains(link, "rel=\"next\"");
        return link[start..end];
    }
}
