using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiTokens.Sample.Tests.Client;
using ApiTokens.Sample.Tests.Client.Models;
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
