using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// R42 on the sample: its declared scopes, a scoped token against the Circonus-shaped API (reads need
// ":read", writes ":write", /v2/user/current user:read), the 403 and its header, the OpenAPI document,
// and the settings the page offers scopes from.
[TestClass]
[TestCategory("R42")]
public sealed class ScopeApiTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task AScopedToken_CallsTheCirconusApiItsScopesName_AndIsRefusedElsewhereWithTheScopeItNeeds()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var annotations = (await SampleServer.CreateTokenAsync(alice, new { type = "account", privilege = "admin", scopes = new[] { "annotation:*" } })).GetProperty("secret").GetString()!;
        var reader = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "admin", scopes = new[] { "user:read", "account:read" } })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        async Task<HttpResponseMessage> Send(HttpMethod method, string path, string secret, object? body = null)
        {
            var request = server.ApiRequest(method, path, secret);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            return await api.SendAsync(request, Ct);
        }

        var annotation = new { title = "deploy", category = "ci", start = 1_700_000_000, stop = 1_700_000_060 };
        Assert.AreEqual(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/v2/annotation", annotations, annotation)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/v2/annotation", annotations)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/v2/user/current", reader)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/v2/account/current", reader)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/account/current", reader)).StatusCode, "the unprefixed alias too");

        foreach (var (method, path, secret, needs, body) in new (HttpMethod, string, string, string, object?)[]
        {
            (HttpMethod.Get, "/v2/account/current", annotations, "account:read", null),
            (HttpMethod.Put, "/v2/account/current", annotations, "account:write", new { description = "x" }),
            (HttpMethod.Get, "/v2/user/current", annotations, "user:read", null),
            (HttpMethod.Post, "/v2/annotation", reader, "annotation:write", annotation),
            (HttpMethod.Get, "/annotation", reader, "annotation:read", null),
            (HttpMethod.Put, "/v2/account/current", reader, "account:write", new { description = "x" }),
        })
        {
            var refused = await Send(method, path, secret, body);
            var problem = await SampleServer.ProblemAsync(refused, 403, "Forbidden.Scope");
            Assert.AreEqual(needs, refused.Headers.GetValues("X-Accepted-ApiToken-Scopes").Single(), $"{method} {path}");
            Assert.IsTrue(problem.TryGetProperty("explanation", out _));
        }
    }

    [TestMethod]
    public async Task UnscopedTokens_AreJudgedByTheirPrivilegeAlone_AsCirconusClientsExpect()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "account", privilege = "admin" });
        var secret = token.GetProperty("secret").GetString()!;
        using var api = server.CreateClient();

        Assert.AreEqual(0, token.GetProperty("scopes").GetArrayLength());
        foreach (var path in new[] { "/v2/annotation", "/v2/account/current", "/account/current" })
        {
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, path, secret), Ct)).StatusCode, path);
        }
    }

    [TestMethod]
    public async Task TheDeclaredScopes_AreOfferedAndDescribed_AndAnUndeclaredOneIs400()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");

        var settings = await alice.GetFromJsonAsync<JsonElement>("/api/token-settings", Ct);
        var document = await alice.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var refused = await alice.PostAsJsonAsync("/api/tokens", new { type = "user", scopes = new[] { "metrics:read" } }, Ct);

        CollectionAssert.AreEqual(
            new[] { "account:read", "account:write", "annotation:read", "annotation:write", "user:read" },
            settings.GetProperty("scopes").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray());
        Assert.IsTrue(settings.GetProperty("scopes").EnumerateArray().All(s => s.GetProperty("description").GetString()!.Length > 0));
        var paths = document.GetProperty("paths");
        string[] Scopes(string path, string method) => [.. paths.GetProperty(path).GetProperty(method).GetProperty("x-apitokens-scopes").EnumerateArray().Select(s => s.GetString()!)];
        CollectionAssert.AreEqual(new[] { "user:read" }, Scopes("/v2/user/current", "get"));
        CollectionAssert.AreEqual(new[] { "annotation:write" }, Scopes("/v2/annotation", "post"));
        CollectionAssert.AreEqual(new[] { "annotation:read" }, Scopes("/v2/annotation", "get"));
        CollectionAssert.AreEqual(new[] { "account:write" }, Scopes("/v2/account/current", "put"));
        StringAssert.Contains(paths.GetProperty("/v2/annotation").GetProperty("post").GetProperty("responses").GetProperty("403").ToString(), "Forbidden.Scope");
        await SampleServer.ProblemAsync(refused, 400, "InvalidScope");
    }
}
