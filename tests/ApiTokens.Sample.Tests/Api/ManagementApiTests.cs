using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ApiTokens.Stores;
using ApiTokens.Stores.InMemory;
using ApiTokens.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Sample.Tests.Api;

// the management API (docs/management-api.md) over real HTTP against the sample.
[TestClass]
public sealed class ManagementApiTests
{
    private static SampleServer s_server = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_server = await SampleServer.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_server.DisposeAsync();

    [TestMethod]
    [TestCategory("R17")]
    public async Task Create_201WithLocationAndTheOnlyCopyOfTheSecret()
    {
        using var alice = await s_server.SignInAsync("alice");

        var response = await alice.PostAsJsonAsync("/api/tokens", new { type = "user", privilege = "normal", defaultAppState = "pending", description = "ci" }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var id = created.GetProperty("id").GetString()!;
        var secret = created.GetProperty("secret").GetString()!;
        Assert.AreEqual($"/api/tokens/{id}", response.Headers.Location?.OriginalString);
        StringAssert.StartsWith(secret, "apt_");
        Assert.AreEqual("apt_****" + secret[^4..], created.GetProperty("secretHint").GetString());

        var read = await alice.GetStringAsync($"/api/tokens/{id}", TestContext.CancellationToken);
        var list = await alice.GetStringAsync("/api/tokens", TestContext.CancellationToken);
        Assert.DoesNotContain(secret, read);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain("\"secret\"", read);
    }

    [TestMethod]
    public async Task TokenJson_HasEveryFieldWithCamelCaseEnums()
    {
        using var bob = await s_server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user" });

        var token = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{created.GetProperty("id").GetString()}", TestContext.CancellationToken);

        string[] fields = ["id", "type", "accountId", "ownerId", "createdBy", "createdAt", "description", "privilege", "effectivePrivilege", "defaultAppState", "apps", "retired", "retiredAt", "retiredBy", "promotedAt", "promotedBy", "secretHint"];
        foreach (var field in fields)
        {
            Assert.IsTrue(token.TryGetProperty(field, out _), field);
        }

        Assert.AreEqual("user", token.GetProperty("type").GetString());
        Assert.AreEqual("readOnly", token.GetProperty("privilege").GetString());
        Assert.AreEqual("readOnly", token.GetProperty("effectivePrivilege").GetString());
        Assert.AreEqual("allow", token.GetProperty("defaultAppState").GetString());
        Assert.AreEqual("bob", token.GetProperty("ownerId").GetString());
        Assert.IsFalse(token.GetProperty("retired").GetBoolean());
    }

    [TestMethod]
    public async Task Enums_ReadCaseInsensitively()
    {
        using var alice = await s_server.SignInAsync("alice");

        var created = await SampleServer.CreateTokenAsync(alice, new { type = "ACCOUNT", privilege = "ReadOnly", defaultAppState = "PENDING" });

        Assert.AreEqual("account", created.GetProperty("type").GetString());
        Assert.AreEqual("readOnly", created.GetProperty("privilege").GetString());
        Assert.AreEqual("pending", created.GetProperty("defaultAppState").GetString());
    }

    [TestMethod]
    [DataRow("{\"type\":\"user\",\"privilege\":\"superuser\"}")]
    [DataRow("{\"type\":\"robot\"}")]
    [DataRow("{\"type\":\"user\",\"defaultAppState\":\"maybe\"}")]
    [DataRow("{\"type\":\"user\",\"privilege\":2}")]
    [DataRow("{\"privilege\":\"normal\"}")]
    [DataRow("{\"type\":\"user\"")]
    [DataRow("[]")]
    [DataRow("not json")]
    public async Task Create_MalformedBodyOrUnknownEnum_400InvalidRequest_NothingCreated(string body)
    {
        using var erin = await SignInFreshMemberAsync();
        var before = await erin.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);

        var response = await erin.PostAsync("/api/tokens", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        await SampleServer.ProblemAsync(response, 400, "InvalidRequest");
        Assert.HasCount(before!.Length, (await erin.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!);
    }

    [TestMethod]
    public async Task Create_WrongContentType_400()
    {
        using var bob = await s_server.SignInAsync("bob");

        var response = await bob.PostAsync("/api/tokens", new StringContent("type=user", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.CancellationToken);

        await SampleServer.ProblemAsync(response, 400, "InvalidRequest");
    }

    [TestMethod]
    public async Task DescriptionOver256_400()
    {
        using var bob = await s_server.SignInAsync("bob");
        var token = await SampleServer.CreateTokenAsync(bob, new { type = "user" });

        var create = await bob.PostAsJsonAsync("/api/tokens", new { type = "user", description = new string('d', 257) }, TestContext.CancellationToken);
        var patch = await bob.PatchAsJsonAsync($"/api/tokens/{token.GetProperty("id").GetString()}", new { description = new string('d', 257) }, TestContext.CancellationToken);

        await SampleServer.ProblemAsync(create, 400, "InvalidRequest");
        await SampleServer.ProblemAsync(patch, 400, "InvalidRequest");
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task SetApp_InvalidAppName_400InvalidAppName_PendingState_400()
    {
        using var bob = await s_server.SignInAsync("bob");
        var id = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("id").GetString();

        var tooLong = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/{new string('a', 257)}", new { state = "allow" }, TestContext.CancellationToken);
        var control = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/bad%01name", new { state = "allow" }, TestContext.CancellationToken);
        var pending = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/fine", new { state = "pending" }, TestContext.CancellationToken);

        await SampleServer.ProblemAsync(tooLong, 400, "InvalidAppName");
        await SampleServer.ProblemAsync(control, 400, "InvalidAppName");
        await SampleServer.ProblemAsync(pending, 400, "InvalidRequest");
    }

    [TestMethod]
    [TestCategory("R10")]
    public async Task SetApp_NameWithSlashAndSpaces_RoundTrips()
    {
        using var bob = await s_server.SignInAsync("bob");
        var id = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("id").GetString();

        var response = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/{Uri.EscapeDataString("curl/8.5 (linux)")}", new { state = "deny" }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var app = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("apps")[0];
        Assert.AreEqual("curl/8.5 (linux)", app.GetProperty("name").GetString());
        Assert.AreEqual("deny", app.GetProperty("state").GetString());
    }

    [TestMethod]
    public async Task NotSignedIn_401OnEveryEndpoint()
    {
        using var anonymous = s_server.CreateClient();
        var json = JsonContent.Create(new { type = "user" });

        await SampleServer.ProblemAsync(await anonymous.GetAsync("/api/tokens", TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.PostAsync("/api/tokens", json, TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.GetAsync("/api/tokens/abc", TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.PatchAsync("/api/tokens/abc", json, TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.PutAsync("/api/tokens/abc/apps/x", json, TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.PostAsync("/api/tokens/abc/retire", null, TestContext.CancellationToken), 401, "NotSignedIn");
        await SampleServer.ProblemAsync(await anonymous.PostAsync("/api/tokens/abc/promote", null, TestContext.CancellationToken), 401, "NotSignedIn");
    }

    [TestMethod]
    public async Task ApiTokenCannotManageTokens_401()
    {
        using var bob = await s_server.SignInAsync("bob");
        var secret = (await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
        using var client = s_server.CreateClient();

        var response = await client.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/api/tokens", secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [TestMethod]
    [TestCategory("R2")]
    [TestCategory("R3")]
    [TestCategory("R4")]
    public async Task Create_Forbidden_403WithCodes()
    {
        using var carol = await s_server.SignInAsync("carol");
        using var bob = await s_server.SignInAsync("bob");

        await SampleServer.ProblemAsync(await carol.PostAsJsonAsync("/api/tokens", new { type = "user" }, TestContext.CancellationToken), 403, "ReadOnlyCannotCreate");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "account" }, TestContext.CancellationToken), 403, "AccountTokenRequiresAdmin");
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens", new { type = "user", privilege = "admin" }, TestContext.CancellationToken), 403, "PrivilegeExceedsRole");

        var id = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("id").GetString();
        await SampleServer.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { privilege = "admin" }, TestContext.CancellationToken), 403, "PrivilegeExceedsRole");
        await SampleServer.ProblemAsync(await bob.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken), 403, "PromoteRequiresAdmin");
    }

    [TestMethod]
    [TestCategory("R5")]
    public async Task Visibility_AcrossMembersAndAccounts_404NeverForbidden()
    {
        using var alice = await s_server.SignInAsync("alice");
        using var bob = await s_server.SignInAsync("bob");
        using var dave = await s_server.SignInAsync("dave");
        var aliceUser = (await SampleServer.CreateTokenAsync(alice, new { type = "user" })).GetProperty("id").GetString()!;
        var account = (await SampleServer.CreateTokenAsync(alice, new { type = "account" })).GetProperty("id").GetString()!;
        var bobs = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("id").GetString()!;

        var bobList = await bob.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);
        var aliceList = await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);
        var daveList = await dave.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);

        Assert.IsTrue(bobList!.All(t => t.GetProperty("ownerId").GetString() == "bob" && t.GetProperty("type").GetString() == "user"));
        CollectionAssert.IsSubsetOf(new[] { aliceUser, account, bobs }, aliceList!.Select(t => t.GetProperty("id").GetString()).ToArray());
        Assert.IsTrue(daveList!.All(t => t.GetProperty("accountId").GetString() == "globex"));

        foreach (var (client, id) in new[] { (bob, aliceUser), (bob, account), (dave, bobs), (dave, account) })
        {
            await SampleServer.ProblemAsync(await client.GetAsync($"/api/tokens/{id}", TestContext.CancellationToken), 404, "TokenNotFound");
            await SampleServer.ProblemAsync(await client.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "x" }, TestContext.CancellationToken), 404, "TokenNotFound");
            await SampleServer.ProblemAsync(await client.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken), 404, "TokenNotFound");
            await SampleServer.ProblemAsync(await client.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken), 404, "TokenNotFound");
            await SampleServer.ProblemAsync(await client.PutAsJsonAsync($"/api/tokens/{id}/apps/x", new { state = "allow" }, TestContext.CancellationToken), 404, "TokenNotFound");
        }

        await SampleServer.ProblemAsync(await bob.GetAsync("/api/tokens/does-not-exist", TestContext.CancellationToken), 404, "TokenNotFound");
    }

    [TestMethod]
    [TestCategory("R13")]
    public async Task Retire_StaysListedForAudit_IdempotentAndUnchangeable()
    {
        using var bob = await s_server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user" });
        var id = created.GetProperty("id").GetString();
        var secret = created.GetProperty("secret").GetString()!;
        using var api = s_server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);

        var retired = await (await bob.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var again = await bob.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken);
        var patch = await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "x" }, TestContext.CancellationToken);
        var app = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/x", new { state = "allow" }, TestContext.CancellationToken);

        Assert.IsTrue(retired.GetProperty("retired").GetBoolean());
        Assert.AreEqual("bob", retired.GetProperty("retiredBy").GetString());
        Assert.AreEqual(JsonValueKind.Null, retired.GetProperty("effectivePrivilege").ValueKind);
        Assert.AreEqual(HttpStatusCode.OK, again.StatusCode);
        Assert.AreEqual(retired.GetProperty("retiredAt").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("retiredAt").GetString());
        await SampleServer.ProblemAsync(patch, 409, "TokenRetired");
        await SampleServer.ProblemAsync(app, 409, "TokenRetired");
        Assert.IsTrue((await bob.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Any(t => t.GetProperty("id").GetString() == id));
        await SampleServer.ProblemAsync(await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken), 401, "Unauthorized.BadToken");
    }

    [TestMethod]
    [TestCategory("R14")]
    public async Task Promote_ByAdmin_ClearsOwnerKeepsSecret_SecondPromote409()
    {
        using var alice = await s_server.SignInAsync("alice");
        using var bob = await s_server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "normal" });
        var id = created.GetProperty("id").GetString();
        using var api = s_server.CreateClient();

        var promoted = await (await alice.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var again = await alice.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken);

        Assert.AreEqual("account", promoted.GetProperty("type").GetString());
        Assert.AreEqual(JsonValueKind.Null, promoted.GetProperty("ownerId").ValueKind);
        Assert.AreEqual("alice", promoted.GetProperty("promotedBy").GetString());
        Assert.AreEqual("bob", promoted.GetProperty("formerOwnerId").GetString());
        Assert.AreEqual("normal", promoted.GetProperty("privilege").GetString());
        await SampleServer.ProblemAsync(again, 409, "AlreadyAccountToken");
        await SampleServer.ProblemAsync(await bob.GetAsync($"/api/tokens/{id}", TestContext.CancellationToken), 404, "TokenNotFound");
        var account = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/account/current", created.GetProperty("secret").GetString()!), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, account.StatusCode);
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task ConcurrentChanges_LoserGets409ConcurrencyConflict()
    {
        var store = new CountingStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<IApiTokenStore>(sp => store.Wrap(sp.GetRequiredService<InMemoryApiTokenStore>())));
        using var bob = await server.SignInAsync("bob");
        var id = (await SampleServer.CreateTokenAsync(bob, new { type = "user" })).GetProperty("id").GetString();
        store.UpdateGate = gate.Task;

        var first = bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "first" }, TestContext.CancellationToken);
        var second = bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "second" }, TestContext.CancellationToken);
        await store.UpdateArrived.WaitAsync(TestContext.CancellationToken);
        await store.UpdateArrived.WaitAsync(TestContext.CancellationToken);
        gate.SetResult();
        var responses = await Task.WhenAll(first, second);

        Assert.AreEqual(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        await SampleServer.ProblemAsync(responses.Single(r => r.StatusCode != HttpStatusCode.OK), 409, "ConcurrencyConflict");
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFails_503()
    {
        var store = new CountingStore();
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<IApiTokenStore>(sp => store.Wrap(sp.GetRequiredService<InMemoryApiTokenStore>())));
        using var bob = await server.SignInAsync("bob");
        store.FailReads = true;

        var response = await bob.GetAsync("/api/tokens", TestContext.CancellationToken);

        await SampleServer.ProblemAsync(response, 503, "ServiceUnavailable.TokenStore");
    }

    private static int s_nextMember;

    // A member of its own (acme, Normal) so list-count assertions are not disturbed by parallel tests.
    private static async Task<HttpClient> SignInFreshMemberAsync()
    {
        var name = "member" + Interlocked.Increment(ref s_nextMember);
        s_server.Services.GetRequiredService<ApiTokens.Membership.InMemoryAccountMembership>().SetRole("acme", name, TokenPrivilege.Normal);
        return await s_server.SignInAsync(name);
    }
}
