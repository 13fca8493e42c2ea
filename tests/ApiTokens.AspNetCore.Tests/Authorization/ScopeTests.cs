using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;
using ApiTokens.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Tests.Authorization;

// R42 through the real handler and authorization middleware: scopes narrow what a token's privilege
// allows on endpoints that name them; unscoped tokens keep the seed's model.
[TestClass]
[TestCategory("R42")]
public sealed class ScopeTests
{
    public TestContext TestContext { get; set; } = null!;

    private static Task<ApiHost> StartAsync(bool requireScopeForScopedTokens = false) => ApiHost.StartAsync(
        core: o =>
        {
            o.Scopes["annotation:read"] = "Read annotations";
            o.Scopes["annotation:write"] = "Write annotations";
            o.Scopes["account:read"] = "Read the account";
            o.Scopes["account:write"] = "Change the account";
            o.RequireScopeForScopedTokens = requireScopeForScopedTokens;
        },
        beforeAuthentication: app =>
        {
            app.MapGet("/annotations", () => "read").RequireApiTokenScope("annotation:read");
            app.MapPost("/annotations", () => "written").RequireApiTokenScope("annotation:write");
            app.MapGet("/any-of", () => "any-of").RequireApiTokenScope("annotation:read", "account:read");
            app.MapGet("/both", () => "both").RequireApiTokenScope("annotation:read").RequireApiTokenScope("account:read");
            app.MapGet("/attribute", [RequireApiTokenScope("account:read")] () => "attribute");
            app.MapGet("/claims", (ClaimsPrincipal user) => user.FindAll(ApiTokenClaimTypes.Scope).Select(c => c.Value).ToArray()).RequireApiToken();
            var group = app.MapGroup("/accounts").RequireApiTokenScope("account:write");
            group.MapPut("/current", () => "changed").RequireApiTokenPrivilege(TokenPrivilege.Admin);
        });

    private static async Task<string> CreateAsync(ApiHost host, string[]? scopes, TokenPrivilege privilege = TokenPrivilege.Admin)
    {
        var created = await host.ManageAsync(m => m.CreateAsync(ApiHost.Alice, new CreateApiTokenRequest { Type = TokenType.User, Privilege = privilege, Scopes = scopes }));
        Assert.IsTrue(created.Succeeded, created.ToString());
        return created.Value.Secret;
    }

    private async Task<HttpResponseMessage> CallAsync(ApiHost host, HttpMethod method, string path, string secret)
        => await host.Client.SendAsync(ApiHost.Request(method, path, secret), TestContext.CancellationToken);

    private static async Task ScopeRefusedAsync(HttpResponseMessage response, string accepted)
    {
        await ApiHost.ProblemAsync(response, 403, ApiTokenFailureCodes.Scope);
        Assert.AreEqual(accepted, string.Join(",", response.Headers.TryGetValues(ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName, out var values) ? values : []));
    }

    [TestMethod]
    public async Task AnUnscopedToken_CallsEveryEndpointItsPrivilegeAllows()
    {
        await using var host = await StartAsync();
        var secret = await CreateAsync(host, null);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/annotations"), (HttpMethod.Post, "/annotations"), (HttpMethod.Get, "/any-of"), (HttpMethod.Get, "/both"), (HttpMethod.Get, "/attribute"), (HttpMethod.Put, "/accounts/current"), (HttpMethod.Get, "/read") })
        {
            Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, method, path, secret)).StatusCode, $"{method} {path}");
        }
    }

    [TestMethod]
    public async Task AScopedToken_CallsWhatItsScopesName_AndGets403ForbiddenScopeWithTheAcceptedScopesElsewhere()
    {
        await using var host = await StartAsync();
        var secret = await CreateAsync(host, ["annotation:read"]);

        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/annotations", secret)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/any-of", secret)).StatusCode, "any one of the accepted scopes");
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Post, "/annotations", secret), "annotation:write");
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Get, "/both", secret), "account:read");
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Get, "/attribute", secret), "account:read");
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Put, "/accounts/current", secret), "account:write");
        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/read", secret)).StatusCode, "an endpoint naming no scope accepts scoped tokens by default");
    }

    [TestMethod]
    public async Task AResourceWildcard_HoldsEveryActionOfItsResourceOnly()
    {
        await using var host = await StartAsync();
        var secret = await CreateAsync(host, ["annotation:*"]);

        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/annotations", secret)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Post, "/annotations", secret)).StatusCode);
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Get, "/attribute", secret), "account:read");
    }

    [TestMethod]
    public async Task ScopesOnlyNarrow_ThePrivilegeStillApplies()
    {
        await using var host = await StartAsync();
        var readOnly = await CreateAsync(host, ["annotation:write", "account:write"], TokenPrivilege.ReadOnly);

        await ApiHost.ProblemAsync(await CallAsync(host, HttpMethod.Post, "/annotations", readOnly), 403, ApiTokenFailureCodes.InsufficientPrivilege);
        await ApiHost.ProblemAsync(await CallAsync(host, HttpMethod.Put, "/accounts/current", readOnly), 403, ApiTokenFailureCodes.InsufficientPrivilege);
    }

    [TestMethod]
    public async Task RequireScopeForScopedTokens_RefusesScopedTokensWhereNoScopeIsNamed_NotUnscopedOnes()
    {
        await using var host = await StartAsync(requireScopeForScopedTokens: true);
        var scoped = await CreateAsync(host, ["annotation:read"]);
        var unscoped = await CreateAsync(host, null);

        var refused = await CallAsync(host, HttpMethod.Get, "/read", scoped);

        await ApiHost.ProblemAsync(refused, 403, ApiTokenFailureCodes.Scope);
        Assert.IsFalse(refused.Headers.Contains(ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName), "no scope to name");
        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/annotations", scoped)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await CallAsync(host, HttpMethod.Get, "/read", unscoped)).StatusCode);
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task AChangeOfScopes_TakesEffectOnTheNextRequest_AndIsAudited()
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var created = await alice.PostAsJsonAsync("/api/tokens", new { type = "user", privilege = "admin", scopes = new[] { "annotation:read" } }, TestContext.CancellationToken);
        var token = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var id = token.GetProperty("id").GetString();
        var secret = token.GetProperty("secret").GetString()!;
        await ScopeRefusedAsync(await CallAsync(host, HttpMethod.Post, "/annotations", secret), "annotation:write");

        var widened = await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { scopes = new[] { "annotation:write", "annotation:read", "annotation:write" } }, TestContext.CancellationToken);
        var afterWidening = await CallAsync(host, HttpMethod.Post, "/annotations", secret);
        var narrowed = await alice.PatchAsJsonAsync($"/api/tokens/{id}", new { scopes = new[] { "account:read" } }, TestContext.CancellationToken);
        var afterNarrowing = await CallAsync(host, HttpMethod.Post, "/annotations", secret);
        var cleared = await alice.PatchAsync($"/api/tokens/{id}", new StringContent("""{"scopes":null}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        var afterClearing = await CallAsync(host, HttpMethod.Post, "/annotations", secret);

        CollectionAssert.AreEqual(new[] { "annotation:read" }, token.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { "annotation:read", "annotation:write" }, (await widened.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ToArray(), "distinct, in order");
        Assert.AreEqual(HttpStatusCode.OK, afterWidening.StatusCode, "the next request");
        Assert.AreEqual(HttpStatusCode.OK, narrowed.StatusCode);
        await ScopeRefusedAsync(afterNarrowing, "annotation:write");
        Assert.AreEqual(0, (await cleared.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("scopes").GetArrayLength());
        Assert.AreEqual(HttpStatusCode.OK, afterClearing.StatusCode, "unscoped again");
        var events = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}/events", TestContext.CancellationToken);
        var changes = events.EnumerateArray().Where(e => e.GetProperty("details").TryGetProperty("scopes", out _)).Select(e => e.GetProperty("details").GetProperty("scopes").GetProperty("new").ToString()).ToArray();
        CollectionAssert.AreEqual(new[] { "", "account:read", "annotation:read annotation:write", "annotation:read" }, changes, "creation and three changes, newest first: " + events);
    }

    [TestMethod]
    [DataRow("""["annotation:delete"]""", DisplayName = "undeclared")]
    [DataRow("""["Annotation:read"]""", DisplayName = "upper case")]
    [DataRow("""["annotation"]""", DisplayName = "no action")]
    [DataRow("""["user:*"]""", DisplayName = "a wildcard of an undeclared resource")]
    [DataRow("""["*:*"]""", DisplayName = "everything")]
    [DataRow("""[""]""", DisplayName = "empty name")]
    [DataRow("""[null]""", DisplayName = "null name")]
    public async Task UndeclaredOrMalformedScopes_Are400InvalidScope_AndChangeNothing(string scopes)
    {
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var existing = await (await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, TestContext.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);

        var create = await alice.PostAsync("/api/tokens", new StringContent($$"""{"type":"user","scopes":{{scopes}}}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        var patch = await alice.PatchAsync($"/api/tokens/{existing.GetProperty("id").GetString()}", new StringContent($$"""{"scopes":{{scopes}}}""", System.Text.Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(create, 400, "InvalidScope");
        await ApiHost.ProblemAsync(patch, 400, "InvalidScope");
        var list = await alice.GetFromJsonAsync<JsonElement>("/api/tokens", TestContext.CancellationToken);
        Assert.AreEqual(1, list.GetArrayLength());
        Assert.AreEqual(0, list[0].GetProperty("scopes").GetArrayLength());
    }

    [TestMethod]
    public async Task MoreThan64Scopes_Are400()
    {
        await using var host = await StartAsync();
        var result = await host.ManageAsync(m => m.CreateAsync(ApiHost.Alice, new CreateApiTokenRequest { Type = TokenType.User, Scopes = [.. Enumerable.Repeat("annotation:read", 65)] }));

        Assert.AreEqual("InvalidScope", result.Error?.Code);
    }

    [TestMethod]
    public async Task TheScopesAreClaims()
    {
        await using var host = await StartAsync();
        var scoped = await CreateAsync(host, ["account:read", "annotation:*"]);
        var unscoped = await CreateAsync(host, null);

        var claims = await (await CallAsync(host, HttpMethod.Get, "/claims", scoped)).Content.ReadFromJsonAsync<string[]>(TestContext.CancellationToken);
        var none = await (await CallAsync(host, HttpMethod.Get, "/claims", unscoped)).Content.ReadFromJsonAsync<string[]>(TestContext.CancellationToken);

        CollectionAssert.AreEqual(new[] { "account:read", "annotation:*" }, claims);
        Assert.IsEmpty(none!);
    }

    [TestMethod]
    public async Task TheOpenApiDocument_ListsEachOperationsScopes_TheForbiddenScopeCode_AndTheDeclaredScopes()
    {
        await using var host = await StartAsync();

        var document = await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);
        var post = document.GetProperty("paths").GetProperty("/annotations").GetProperty("post");
        var both = document.GetProperty("paths").GetProperty("/both").GetProperty("get");
        var unscoped = document.GetProperty("paths").GetProperty("/read").GetProperty("get");

        CollectionAssert.AreEqual(new[] { "annotation:write" }, post.GetProperty("x-apitokens-scopes").EnumerateArray().Select(s => s.GetString()).ToArray());
        CollectionAssert.AreEquivalent(new[] { "annotation:read", "account:read" }, both.GetProperty("x-apitokens-scopes").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.IsFalse(unscoped.TryGetProperty("x-apitokens-scopes", out _));
        var forbidden = post.GetProperty("responses").GetProperty("403");
        StringAssert.Contains(forbidden.ToString(), ApiTokenFailureCodes.Scope);
        Assert.IsTrue(forbidden.GetProperty("headers").TryGetProperty(ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName, out _));
        Assert.DoesNotContain(ApiTokenFailureCodes.Scope, unscoped.GetProperty("responses").GetProperty("403").ToString());
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiTokenAuthenticationDefaults.AuthenticationScheme).GetProperty("description").GetString()!;
        StringAssert.Contains(scheme, "`annotation:write`: Write annotations");
        StringAssert.Contains(post.GetProperty("description").GetString()!, "`annotation:write`");
    }

    [TestMethod]
    public void ARequirementWithoutScopesOrWithAMalformedOne_IsRefusedWhenDeclared()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new ApiTokenScopeRequirement());
        Assert.ThrowsExactly<ArgumentException>(() => new ApiTokenScopeRequirement("annotation:*"));
        Assert.ThrowsExactly<ArgumentException>(() => new ApiTokenScopeRequirement("annotations"));
        Assert.AreEqual("annotation:read, account:read", string.Join(", ", new ApiTokenScopeRequirement("annotation:read", "account:read").Scopes));
    }
}
