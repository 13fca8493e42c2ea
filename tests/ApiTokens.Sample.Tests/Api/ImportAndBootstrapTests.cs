using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// R36 through the sample on Kestrel, on every store: an admin imports a Circonus UUID (or its
// SHA-256) and a Circonus client keeps working with it; bad input is a 400 that changes nothing; a
// secret already here is refused without saying whose. ApiTokens:Bootstrap gives a service its
// first token: created once, across restarts and across nodes that start together on PostgreSQL.
[TestClass]
[TestCategory("R36")]
public sealed class ImportAndBootstrapTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("inmemory")]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task Import_CirconusUuid_TheClientKeepsWorking_BadInputAndDuplicatesChangeNothing(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        await using var server = await SampleServer.StartAsync(null, database.Args);
        using var alice = await server.SignInAsync("alice");
        using var bob = await server.SignInAsync("bob");
        var uuid = Guid.NewGuid().ToString();
        const string legacy = "legacy_key-0123456789abcdef";

        var imported = await alice.PostAsJsonAsync("/api/tokens/import", new { secret = uuid, type = "user", ownerId = "bob", privilege = "normal", defaultAppState = "allow", description = "moved from Circonus" }, TestContext.CancellationToken);
        var byHash = await alice.PostAsJsonAsync("/api/tokens/import", new { secretSha256 = Sha256Hex(legacy), type = "account", defaultAppState = "allow" }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Created, imported.StatusCode, await imported.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual(HttpStatusCode.Created, byHash.StatusCode, await byHash.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var token = await imported.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var id = token.GetProperty("id").GetString()!;
        Assert.AreEqual($"/api/tokens/{id}", imported.Headers.Location?.OriginalString);
        Assert.AreEqual("bob", token.GetProperty("ownerId").GetString());
        Assert.AreEqual("alice", token.GetProperty("createdBy").GetString());
        Assert.IsFalse(token.TryGetProperty("secret", out _), "an import never shows a secret");
        Assert.DoesNotContain(uuid, token.GetRawText());

        using var api = server.CreateClient();
        var current = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", uuid, "cosi"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, current.StatusCode);
        Assert.AreEqual("/user/bob", (await current.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString());
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/account/current", legacy, "cosi"), TestContext.CancellationToken)).StatusCode);

        var before = await CountAsync(alice);
        await SampleServer.ProblemAsync(await bob.PostAsJsonAsync("/api/tokens/import", new { secret = Guid.NewGuid().ToString(), type = "user" }, TestContext.CancellationToken), 403, "ImportRequiresAdmin");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = "too-short", type = "user" }, TestContext.CancellationToken), 400, "InvalidSecret");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secretSha256 = "NOT-HEX", type = "user" }, TestContext.CancellationToken), 400, "InvalidSecret");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = uuid, secretSha256 = Sha256Hex(uuid), type = "user" }, TestContext.CancellationToken), 400, "InvalidRequest");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = Guid.NewGuid().ToString() }, TestContext.CancellationToken), 400, "InvalidRequest");
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = Guid.NewGuid().ToString(), type = "user", ownerId = "dave" }, TestContext.CancellationToken), 400, "InvalidOwner");
        // R4 as at creation: bob is Normal, so his user token cannot be Admin, whoever imports it.
        await SampleServer.ProblemAsync(await alice.PostAsJsonAsync("/api/tokens/import", new { secret = Guid.NewGuid().ToString(), type = "user", ownerId = "bob", privilege = "admin" }, TestContext.CancellationToken), 403, "PrivilegeExceedsRole");

        // Dave (another account) tries to import Bob's secret, plain and hashed: refused, nothing said of whose.
        using var dave = await server.SignInAsync("dave");
        foreach (var body in new object[] { new { secret = uuid, type = "account" }, new { secretSha256 = Sha256Hex(uuid), type = "account" } })
        {
            var refused = await SampleServer.ProblemAsync(await dave.PostAsJsonAsync("/api/tokens/import", body, TestContext.CancellationToken), 409, "SecretAlreadyExists");
            Assert.DoesNotContain(id, refused.GetRawText());
            Assert.DoesNotContain("bob", refused.GetRawText());
        }

        Assert.AreEqual(before, await CountAsync(alice), "refused imports changed nothing");
        Assert.IsEmpty(await dave.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken) ?? []);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public async Task Bootstrap_ARestartKeepsOneToken_ItWorksAtOnce(string store)
    {
        await using var database = await SampleDatabase.CreateAsync(store, TestContext.CancellationToken);
        var secret = Guid.NewGuid().ToString();
        string[] args = [.. database.Args, .. Bootstrap(secret)];

        for (var start = 0; start < 2; start++)
        {
            await using var server = await SampleServer.StartAsync(null, args);
            using var api = server.CreateClient();
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/account/current", secret, "deploy"), TestContext.CancellationToken)).StatusCode, $"start {start + 1}");
            using var alice = await server.SignInAsync("alice");
            await AssertOneBootstrapTokenAsync(alice);
        }
    }

    [TestMethod]
    public async Task Bootstrap_TwoNodesStartingTogetherOnPostgres_CreateOneToken()
    {
        await using var database = await SampleDatabase.CreateAsync("postgres", TestContext.CancellationToken);
        var secret = Guid.NewGuid().ToString();
        string[] args = [.. database.Args, .. Bootstrap(secret)];

        // The schema first (migrations are not what this test races), then both nodes at once.
        await (await SampleServer.StartAsync(null, database.Args)).DisposeAsync();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => SampleServer.StartAsync(null, args))));
        try
        {
            using var alice = await nodes[0].SignInAsync("alice");
            await AssertOneBootstrapTokenAsync(alice);
            foreach (var node in nodes)
            {
                using var api = node.CreateClient();
                Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(node.ApiRequest(HttpMethod.Get, "/v2/account/current", secret, "deploy"), TestContext.CancellationToken)).StatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [TestMethod]
    public async Task Bootstrap_BadConfiguration_TheSampleDoesNotStart_AndTheMessageNamesTheKey()
    {
        var secret = "bad secret with spaces";

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => SampleServer.StartAsync(null, [.. Bootstrap(secret)]));

        Assert.Contains("ApiTokens:Bootstrap:Secret", error.Message);
        Assert.DoesNotContain(secret, error.Message);
    }

    private static string[] Bootstrap(string secret)
        => ["--ApiTokens:Bootstrap:AccountId", "acme", "--ApiTokens:Bootstrap:Secret", secret, "--ApiTokens:Bootstrap:Privilege", "Normal", "--ApiTokens:Bootstrap:Description", "first token"];

    private async Task AssertOneBootstrapTokenAsync(HttpClient alice)
    {
        var tokens = await alice.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);
        var bootstrap = tokens!.Where(t => t.GetProperty("createdBy").GetString() == "bootstrap").ToArray();
        Assert.HasCount(1, bootstrap);
        Assert.AreEqual("account", bootstrap[0].GetProperty("type").GetString());
        Assert.AreEqual("normal", bootstrap[0].GetProperty("privilege").GetString());
        var events = await alice.GetFromJsonAsync<JsonElement[]>($"/api/tokens/{bootstrap[0].GetProperty("id").GetString()}/events", TestContext.CancellationToken);
        var created = events!.Single(e => e.GetProperty("action").GetString() == "token.created");
        Assert.AreEqual("bootstrap", created.GetProperty("actor").GetString());
    }

    private async Task<int> CountAsync(HttpClient client)
        => (await client.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Length;

    private static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
