using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// The sample's Circonus-shaped API (docs/sample.md) and member administration, over real HTTP.
[TestClass]
public sealed class CirconusApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task UserCurrent_UserToken_ReturnsOwner_AccountToken_404()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var user = (await SampleServer.CreateTokenAsync(alice, new { type = "user" })).GetProperty("secret").GetString()!;
        var account = (await SampleServer.CreateTokenAsync(alice, new { type = "account" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();

        var me = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", user), TestContext.CancellationToken);
        var none = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", account), TestContext.CancellationToken);

        var body = await me.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        Assert.AreEqual("/user/alice", body.GetProperty("_cid").GetString());
        Assert.AreEqual("alice@acme.example", body.GetProperty("email").GetString());
        Assert.AreEqual("Alice", body.GetProperty("firstname").GetString());
        Assert.AreEqual("Anderson", body.GetProperty("lastname").GetString());
        Assert.AreEqual(HttpStatusCode.NotFound, none.StatusCode);
    }

    [TestMethod]
    public async Task AccountCurrent_ListsUsersWithCirconusRoles()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var secret = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();

        var account = await (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/account/current", secret), TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);

        Assert.AreEqual("/account/acme", account.GetProperty("_cid").GetString());
        var roles = account.GetProperty("users").EnumerateArray().ToDictionary(u => u.GetProperty("user").GetString()!, u => u.GetProperty("role").GetString());
        Assert.AreEqual("Admin", roles["/user/alice"]);
        Assert.AreEqual("Normal", roles["/user/bob"]);
        Assert.AreEqual("Read Only", roles["/user/carol"]);
    }

    [TestMethod]
    [TestCategory("R16")]
    public async Task Annotations_ReadOnlyReads_NormalWrites_AdminUpdatesAccount()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var readOnly = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "readOnly" })).GetProperty("secret").GetString()!;
        var normal = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        var admin = (await SampleServer.CreateTokenAsync(alice, new { type = "account", privilege = "admin" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        HttpRequestMessage Post(string secret)
        {
            var request = server.ApiRequest(HttpMethod.Post, "/v2/annotation", secret);
            request.Content = JsonContent.Create(new { title = "deploy 42", category = "ci", description = "rolled out", start = 1_700_000_000, stop = 1_700_000_060 });
            return request;
        }

        HttpRequestMessage PutAccount(string secret)
        {
            var request = server.ApiRequest(HttpMethod.Put, "/v2/account/current", secret);
            request.Content = JsonContent.Create(new { description = "updated by test" });
            return request;
        }

        await SampleServer.ProblemAsync(await api.SendAsync(Post(readOnly), TestContext.CancellationToken), 403, "Forbidden.InsufficientPrivilege");
        var created = await api.SendAsync(Post(normal), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, created.StatusCode);
        var cid = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString()!;
        StringAssert.StartsWith(cid, "/annotation/");

        var list = await (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/annotation", readOnly), TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement[]>(TestContext.CancellationToken);
        Assert.AreEqual("deploy 42", list!.Single().GetProperty("title").GetString());

        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Delete, "/v2" + cid, readOnly), TestContext.CancellationToken), 403, "Forbidden.InsufficientPrivilege");
        Assert.AreEqual(HttpStatusCode.NoContent, (await api.SendAsync(server.ApiRequest(HttpMethod.Delete, "/v2" + cid, normal), TestContext.CancellationToken)).StatusCode);

        await SampleServer.ProblemAsync(await api.SendAsync(PutAccount(normal), TestContext.CancellationToken), 403, "Forbidden.InsufficientPrivilege");
        var updated = await api.SendAsync(PutAccount(admin), TestContext.CancellationToken);
        Assert.AreEqual("updated by test", (await updated.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("description").GetString());
    }

    [TestMethod]
    public async Task Annotation_InvalidBody_400()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var secret = (await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        var request = server.ApiRequest(HttpMethod.Post, "/v2/annotation", secret);
        request.Content = JsonContent.Create(new { title = "", category = "ci", start = 5, stop = 1 });

        Assert.AreEqual(HttpStatusCode.BadRequest, (await api.SendAsync(request, TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    [TestCategory("R8")]
    public async Task PendingApp_401_ApprovedOnTheApi_ThenWorks()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "pending" });
        var secret = created.GetProperty("secret").GetString()!;
        using var api = server.CreateClient();

        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "python-circonusapi"), TestContext.CancellationToken), 401, "Unauthorized.PendingApp");
        var listed = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{created.GetProperty("id").GetString()}", TestContext.CancellationToken);
        Assert.AreEqual("pending", listed.GetProperty("apps")[0].GetProperty("state").GetString());
        await bob.PutAsJsonAsync($"/api/tokens/{created.GetProperty("id").GetString()}/apps/python-circonusapi", new { state = "allow" }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "python-circonusapi"), TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task Members_RoleChangeCapsAtOnce_RemovalRetires_AdminOnly()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        using var bob = await server.SignInAsync("bob");
        var bobsToken = await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "normal" });
        var secret = bobsToken.GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        HttpRequestMessage Write()
        {
            var request = server.ApiRequest(HttpMethod.Post, "/v2/annotation", secret);
            request.Content = JsonContent.Create(new { title = "t", category = "c", start = 1, stop = 2 });
            return request;
        }

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(Write(), TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, (await bob.PutAsJsonAsync("/api/members/carol", new { role = "admin" }, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await alice.PutAsJsonAsync("/api/members/bob", new { role = "owner" }, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await alice.PutAsJsonAsync("/api/members/dave", new { role = "normal" }, TestContext.CancellationToken)).StatusCode);

        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync("/api/members/bob", new { role = "readOnly" }, TestContext.CancellationToken)).StatusCode);
        await SampleServer.ProblemAsync(await api.SendAsync(Write(), TestContext.CancellationToken), 403, "Forbidden.InsufficientPrivilege");
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/annotation", secret), TestContext.CancellationToken)).StatusCode);

        var removed = await alice.DeleteAsync("/api/members/bob", TestContext.CancellationToken);
        Assert.AreEqual(1, (await removed.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("retiredTokens").GetInt32());
        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/annotation", secret), TestContext.CancellationToken), 401, "Unauthorized.BadToken");
        var token = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{bobsToken.GetProperty("id").GetString()}", TestContext.CancellationToken);
        Assert.IsTrue(token.GetProperty("retired").GetBoolean());
        Assert.AreEqual("alice", token.GetProperty("retiredBy").GetString());
    }

    [TestMethod]
    public async Task Login_FormOrJson_UnknownUser401_MissingName400()
    {
        await using var server = await SampleServer.StartAsync();
        using var client = server.CreateClient();

        var form = await client.PostAsync("/login", new FormUrlEncodedContent([new("userName", "carol")]), TestContext.CancellationToken);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me", TestContext.CancellationToken);
        var unknown = await client.PostAsJsonAsync("/login", new { userName = "mallory" }, TestContext.CancellationToken);
        var missing = await client.PostAsJsonAsync("/login", new { }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Redirect, form.StatusCode);
        Assert.AreEqual("carol", me.GetProperty("userName").GetString());
        Assert.AreEqual("readOnly", me.GetProperty("role").GetString());
        Assert.AreEqual(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, missing.StatusCode);
    }
}
