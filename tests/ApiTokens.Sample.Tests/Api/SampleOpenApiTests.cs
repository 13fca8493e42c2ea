using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiTokens.Sample.Tests.Client;
using ApiTokens.Sample.Tests.Client.Models;
using ApiTokens.Stores;
using ApiTokens.Stores.InMemory;
using ApiTokens.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.OpenApi;

namespace ApiTokens.Sample.Tests.Api;

// The sample's API reference (docs/openapi.md): /openapi/v1.json is valid OpenAPI, describes the
// Circonus-shaped API behind the ApiTokens scheme and the management API with their bodies, and is
// the document the Kiota client in Client/ was generated from — which creates, lists, rotates and
// retires a token, and calls the Circonus-shaped API with it.
[TestClass]
[TestCategory("OpenAPI")]
public sealed class SampleOpenApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Document_IsValid_AndIsTheSnapshotTheClientIsGeneratedFrom()
    {
        await using var server = await SampleServer.StartAsync();
        using var client = server.CreateClient();
        var json = await client.GetStringAsync("/openapi/v1.json", TestContext.CancellationToken);

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");
        Assert.IsEmpty(diagnostic!.Errors, string.Join("\n", diagnostic.Errors));
        var errors = document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToArray() ?? [];
        Assert.IsEmpty(errors, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));

        var live = JsonNode.Parse(json)!.AsObject();
        live.Remove("servers");
        var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Client", "openapi.json"), TestContext.CancellationToken));
        Assert.IsTrue(
            JsonNode.DeepEquals(live, snapshot),
            "The sample's OpenAPI document changed: run eng/update-openapi-client.sh to regenerate tests/ApiTokens.Sample.Tests/Client (snapshot and Kiota client), and review the diff.");
    }

    [TestMethod]
    [TestCategory("R16")]
    public async Task Document_RequiresTokensOnTheCirconusApi_DescribesBodies()
    {
        await using var server = await SampleServer.StartAsync();
        using var client = server.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);
        var paths = document.GetProperty("paths");

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.AreEqual("X-Circonus-Auth-Token", schemes.GetProperty("ApiTokens").GetProperty("name").GetString());
        Assert.AreEqual("X-Circonus-App-Name", schemes.GetProperty("ApiTokens.AppName").GetProperty("name").GetString());
        foreach (var (path, method, privilege) in new[]
        {
            ("/v2/user/current", "get", "readOnly"), ("/v2/annotation", "get", "readOnly"), ("/v2/annotation", "post", "normal"),
            ("/v2/annotation/{id}", "delete", "normal"), ("/v2/account/current", "put", "admin"),
        })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.AreEqual(3, operation.GetProperty("security").GetArrayLength(), $"{method} {path}");
            Assert.AreEqual(privilege, operation.GetProperty("x-apitokens-privilege").GetString(), $"{method} {path}");
        }

        // The Circonus-shaped bodies, read whatever the Content-Type, are described all the same.
        var annotation = paths.GetProperty("/v2/annotation").GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.AreEqual("#/components/schemas/CirconusAnnotationBody", annotation.GetProperty("$ref").GetString());
        var user = document.GetProperty("components").GetProperty("schemas").GetProperty("CirconusUser").GetProperty("properties");
        CollectionAssert.AreEquivalent(new[] { "_cid", "email", "firstname", "lastname" }, user.EnumerateObject().Select(p => p.Name).ToArray());

        // The unprefixed aliases and the demo's own endpoints are not in the reference; the management API is, without a token requirement.
        Assert.IsFalse(paths.TryGetProperty("/user/current", out _));
        Assert.IsFalse(paths.TryGetProperty("/login", out _));
        Assert.IsFalse(paths.GetProperty("/api/tokens").GetProperty("post").TryGetProperty("security", out _));
    }

    // Every operation of the Circonus-shaped API declares exactly the statuses it answers over HTTP:
    // 2xx, 400, 401, 403 (privilege, denied app), 404, 429 (R34), 503 (R20).
    [TestMethod]
    public async Task CirconusOperations_DeclareExactlyTheStatusesTheyAnswer()
    {
        var store = new CountingStore();
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<IApiTokenStore>(sp => store.Wrap(sp.GetRequiredService<InMemoryApiTokenStore>())));
        using var alice = await server.SignInAsync("alice");
        using var http = server.CreateClient();
        var document = await http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);
        async Task<string> SecretAsync(object body) => (await SampleServer.CreateTokenAsync(alice, body)).GetProperty("secret").GetString()!;
        var admin = await SecretAsync(new { type = "user", privilege = "admin" });
        var account = await SecretAsync(new { type = "account", privilege = "admin" });
        var readOnly = await SecretAsync(new { type = "user" });
        var denied = await SecretAsync(new { type = "user", privilege = "admin", defaultAppState = "deny" });
        var limited = await SecretAsync(new { type = "user", privilege = "admin", rateLimit = new { limit = 1, windowSeconds = 3600 } });
        var unused = await SecretAsync(new { type = "user", privilege = "admin" });

        var observed = new Dictionary<string, SortedSet<int>>();
        async Task<JsonElement> SendAsync(string method, string template, string path, string? secret, object? body = null)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (secret is not null)
            {
                request.Headers.Add("X-Circonus-Auth-Token", secret);
                request.Headers.Add("X-Circonus-App-Name", "openapi-check");
            }

            if (body is not null)
            {
                request.Content = new StringContent(JsonSerializer.Serialize(body));   // as Circonus clients send it: no JSON Content-Type needed
            }

            using var response = await http.SendAsync(request, TestContext.CancellationToken);
            var key = method.ToLowerInvariant() + " " + template;
            if (!observed.TryGetValue(key, out var statuses))
            {
                observed[key] = statuses = [];
            }

            statuses.Add((int)response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
            return text.StartsWith('{') ? JsonSerializer.Deserialize<JsonElement>(text) : default;
        }

        var created = await SendAsync("POST", "/v2/annotation", "/v2/annotation", admin, new { title = "deploy", category = "ops", start = 1, stop = 2 });
        var id = created.GetProperty("_cid").GetString()!["/annotation/".Length..];
        (string Method, string Template, string Path, object? Body, string? NotFound, object? Invalid)[] operations =
        [
            ("GET", "/v2/user/current", "/v2/user/current", null, null, null),
            ("GET", "/v2/user/{id}", "/v2/user/alice", null, "/v2/user/nobody", null),
            ("GET", "/v2/account/current", "/v2/account/current", null, null, null),
            ("GET", "/v2/account/{id}", "/v2/account/acme", null, "/v2/account/globex", null),
            ("PUT", "/v2/account/current", "/v2/account/current", new { description = "ours" }, null, new { description = 5 }),
            ("PUT", "/v2/account/{id}", "/v2/account/acme", new { description = "ours" }, "/v2/account/globex", new { description = 5 }),
            ("GET", "/v2/annotation", "/v2/annotation", null, null, null),
            ("POST", "/v2/annotation", "/v2/annotation", new { title = "t", category = "c", start = 1, stop = 2 }, null, new { title = "t" }),
            ("GET", "/v2/annotation/{id}", "/v2/annotation/" + id, null, "/v2/annotation/999999", null),
            ("DELETE", "/v2/annotation/{id}", "/v2/annotation/999999", null, "/v2/annotation/999998", null),
        ];
        foreach (var (method, template, path, body, notFound, invalid) in operations)
        {
            await SendAsync(method, template, path, admin, body);
            await SendAsync(method, template, path, null, body);
            await SendAsync(method, template, path, method == "GET" ? denied : readOnly, body);
            await SendAsync(method, template, path, limited, body);
            await SendAsync(method, template, path, limited, body);
            if (notFound is not null)
            {
                await SendAsync(method, template, notFound, admin, body);
            }

            if (invalid is not null)
            {
                await SendAsync(method, template, path, admin, invalid);
            }
        }

        await SendAsync("GET", "/v2/user/current", "/v2/user/current", account);   // 404: an account token has no user
        await SendAsync("DELETE", "/v2/annotation/{id}", "/v2/annotation/" + id, admin);   // 204
        store.FailReads = true;
        foreach (var (method, template, path, body, _, _) in operations)
        {
            await SendAsync(method, template, path, unused, body);
        }

        var mismatches = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v2/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var key = operation.Name + " " + path.Name;
                var declared = operation.Value.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).Order();
                var answered = observed.TryGetValue(key, out var statuses) ? statuses.ToArray() : [];
                if (!declared.SequenceEqual(answered))
                {
                    mismatches.Add($"{key}: declared {string.Join(",", declared)}, answered {string.Join(",", answered)}");
                }
            }
        }

        Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
    }

    // The GitHub leak-report operation (R31) declares exactly the statuses and codes it answers.
    [TestMethod]
    [TestCategory("R31")]
    public async Task LeakReportOperation_DeclaresExactlyTheStatusesAndCodesItAnswers()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        await using var server = await SampleServer.StartAsync(null, keys.SampleArgs);
        await using var keyless = await SampleServer.StartAsync(null, keys.SampleArgs);
        using var api = server.CreateClient();
        using var keylessApi = keyless.CreateClient();
        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);
        var body = JsonSerializer.Serialize(new[] { new { token = "apt_not-a-live-secret", type = "t", url = "https://x", source = "content" } });
        var huge = "[" + string.Join(",", Enumerable.Repeat("{\"token\":\"" + new string('x', 1000) + "\"}", 1100)) + "]";

        var answered = new List<(int Status, string? Code)>();
        async Task SendAsync(HttpClient client, HttpRequestMessage request)
        {
            using var response = await client.SendAsync(request, TestContext.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
            answered.Add(((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonSerializer.Deserialize<JsonElement>(text).GetProperty("code").GetString() : null));
        }

        await SendAsync(api, keys.Report(server.Address, body));
        await SendAsync(api, keys.Report(server.Address, body, forge: true));
        await SendAsync(api, keys.Report(server.Address, body, keyId: "not-a-published-key"));
        await SendAsync(api, keys.Report(server.Address, huge));
        await SendAsync(api, keys.Report(server.Address, "not json"));
        keys.Down = true;
        await SendAsync(keylessApi, keys.Report(keyless.Address, body));

        var operation = document.GetProperty("paths").GetProperty("/api/tokens/leaks/github").GetProperty("post");
        var responses = operation.GetProperty("responses");
        CollectionAssert.AreEqual(
            responses.EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray(),
            answered.Select(a => a.Status).Distinct().Order().ToArray());
        foreach (var (status, code) in answered.Where(a => a.Code is not null))
        {
            var codes = responses.GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("content").GetProperty("application/problem+json")
                .GetProperty("schema").GetProperty("allOf")[1].GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
            CollectionAssert.Contains(codes.ToArray(), code, $"{status} {code}");
        }

        Assert.AreEqual("#/components/schemas/GitHubLeakReport", operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
    }

    [TestMethod]
    public async Task GeneratedClient_CreatesListsRotatesAndRetiresAToken_AndUsesIt()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var api = new SampleApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: alice) { BaseUrl = server.Address.ToString().TrimEnd('/') });

        var created = (await api.Api.Tokens.PostAsync(new CreateApiTokenBody { Type = CreateApiTokenBody_type.User, Description = "generated client" }, cancellationToken: TestContext.CancellationToken))!;
        Assert.StartsWith("apt_", created.Secret);
        Assert.AreEqual(Client.Models.TokenPrivilege.ReadOnly, created.Privilege);

        var listed = (await api.Api.Tokens.GetAsync(cancellationToken: TestContext.CancellationToken))!;
        Assert.AreEqual("generated client", listed.Single(t => t.Id == created.Id).Description);
        Assert.IsTrue(listed.All(t => t.AdditionalData.Count == 0), "a token response has a property the document does not describe");

        var me = await CirconusApi(server, alice, created.Secret!).V2.User.Current.GetAsync(cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual("/user/alice", me!.Cid);

        var rotated = (await api.Api.Tokens[created.Id].Rotate.PostAsync(new RotateApiTokenBody { GracePeriodSeconds = 0 }, cancellationToken: TestContext.CancellationToken))!;
        Assert.AreNotEqual(created.Secret, rotated.Secret);
        Assert.IsNotNull(rotated.RotatedAt);

        var retired = (await api.Api.Tokens[created.Id].Retire.PostAsync(cancellationToken: TestContext.CancellationToken))!;
        Assert.IsTrue(retired.Retired);

        // Failures arrive as the document's problem types, with their codes.
        var missing = await Assert.ThrowsExactlyAsync<ApiTokens.Sample.Tests.Client.Api.Tokens.Item.ApiTokenResponse404Error>(
            () => api.Api.Tokens["no-such-token"].GetAsync(cancellationToken: TestContext.CancellationToken));
        Assert.AreEqual(404, missing.ResponseStatusCode);
        var refused = await Assert.ThrowsExactlyAsync<ApiTokens.Sample.Tests.Client.V2.User.Current.CirconusUser401Error>(
            () => CirconusApi(server, alice, rotated.Secret!).V2.User.Current.GetAsync(cancellationToken: TestContext.CancellationToken));
        Assert.AreEqual(HttpStatusCode.Unauthorized, (HttpStatusCode)refused.ResponseStatusCode);
    }

    // The same generated client on the Circonus-shaped API, with the token and an app name in their headers.
    private static SampleApiClient CirconusApi(SampleServer server, HttpClient http, string secret)
        => new(new HttpClientRequestAdapter(new TokenHeaders(secret, "kiota-client"), httpClient: http) { BaseUrl = server.Address.ToString().TrimEnd('/') });

    private sealed class TokenHeaders(string secret, string appName) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("X-Circonus-Auth-Token", secret);
            request.Headers.Add("X-Circonus-App-Name", appName);
            return Task.CompletedTask;
        }
    }
}
