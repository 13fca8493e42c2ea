using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// A host that adds OpenAPI (without options.AddApiTokens()) gets a correct document for MapApiTokens: names, summaries, bodies.
[TestClass]
public sealed class OpenApiTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task MapApiTokens_DescribesEveryEndpoint()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens();
        builder.Services.AddOpenApi();
        await using var app = builder.Build();
        app.MapApiTokens("/api/tokens");
        app.MapOpenApi();
        await app.StartAsync(TestContext.CancellationToken);

        var document = await app.GetTestClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);

        var operations = new Dictionary<string, JsonElement>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations[operation.Value.GetProperty("operationId").GetString()!] = operation.Value;
            }
        }

        CollectionAssert.IsSubsetOf(
            new[] { "ApiTokens_List", "ApiTokens_Create", "ApiTokens_Get", "ApiTokens_Update", "ApiTokens_SetAppState", "ApiTokens_Retire", "ApiTokens_Promote" },
            operations.Keys.ToArray());
        Assert.IsFalse(string.IsNullOrEmpty(operations["ApiTokens_Create"].GetProperty("summary").GetString()));
        Assert.IsTrue(operations["ApiTokens_Create"].GetProperty("responses").TryGetProperty("201", out _));
        Assert.IsTrue(operations["ApiTokens_Update"].GetProperty("responses").TryGetProperty("409", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.IsTrue(schemas.TryGetProperty("ApiTokenResponse", out var token));
        Assert.IsTrue(token.GetProperty("properties").TryGetProperty("secretHint", out _));

        // Without options.AddApiTokens(): the management API still describes its bodies; no security schemes are invented.
        Assert.AreEqual("#/components/schemas/CreateApiTokenBody", operations["ApiTokens_Create"].GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.IsFalse(document.GetProperty("components").TryGetProperty("securitySchemes", out _));

        // Enums are described as the wire sends them: camelCase strings.
        CollectionAssert.AreEquivalent(new[] { "user", "account" }, schemas.GetProperty("TokenType").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray());
        CollectionAssert.AreEquivalent(new[] { "readOnly", "normal", "admin" }, schemas.GetProperty("TokenPrivilege").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray());
        CollectionAssert.AreEquivalent(new[] { "allow", "pending", "deny" }, schemas.GetProperty("AppState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray());
    }
}
