using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using ApiTokens.Tests;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// MapApiTokens (docs/management-api.md) over HTTP on a host of its own: the package's endpoints, not the sample's.
[TestClass]
public sealed class ManagementEndpointsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task NotSignedIn_401NotSignedIn()
    {
        await using var host = await ApiHost.StartAsync();

        var response = await host.Client.GetAsync("/api/tokens", TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 401, "NotSignedIn");
    }

    [TestMethod]
    public async Task RequestAuthenticatedByAnApiToken_CannotManageTokens()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice, privilege: TokenPrivilege.Admin);

        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/api/tokens", token.Secret), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 401, "NotSignedIn");
    }

    [TestMethod]
    [TestCategory("R2")]
    [TestCategory("R17")]
    public async Task Create_201WithLocationAndTheSecretOnce_ThenReadWithoutIt()
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);

        var response = await bob.PostAsJsonAsync("/api/tokens", new { type = "user", privilege = "normal", defaultAppState = "pending" }, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var id = created.GetProperty("id").GetString();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.AreEqual($"/api/tokens/{id}", response.Headers.Location?.OriginalString);
        Assert.AreEqual("no-store", response.Headers.CacheControl?.ToString());
        var read = await bob.GetStringAsync($"/api/tokens/{id}", TestContext.CancellationToken);
        Assert.DoesNotContain(secret, read);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await host.GetAsync(secret, "cli")).StatusCode, "pending: the new token works through the scheme of the same host");
    }

    [TestMethod]
    [TestCategory("R29")]
    public async Task Create_NotJson_400InvalidRequest_NothingCreated()
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);

        var response = await bob.PostAsync("/api/tokens", new StringContent("type=user", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 400, ApiTokenErrorCodes.InvalidRequest);
        Assert.AreEqual(0, host.Store.Count);
    }

    [TestMethod]
    [TestCategory("R29")]
    [DataRow("application/json; charset=utf-7")]
    [DataRow("application/json; charset=x-unknown")]
    [DataRow("application/json; charset=utf-16")]
    public async Task Create_BodyNotInUtf8_400InvalidRequest_NothingCreated(string contentType)
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"type":"user"}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await bob.PostAsync("/api/tokens", content, TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 400, ApiTokenErrorCodes.InvalidRequest);
        Assert.AreEqual(0, host.Store.Count);
    }

    [TestMethod]
    [TestCategory("R29")]
    [DataRow("""{"type":"user, account","privilege":"readOnly, normal"}""")]
    [DataRow("""{"type":"user","privilege":"readOnly,normal"}""")]
    [DataRow("""{"type":"1"}""")]
    [DataRow("""{"type":"user","defaultAppState":" allow"}""")]
    public async Task Create_EnumListsOrNumbers_400InvalidRequest_NothingCreated(string body)
    {
        await using var host = await ApiHost.StartAsync();
        using var alice = await host.SignInAsync(ApiHost.Alice);

        var response = await alice.PostAsync("/api/tokens", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 400, ApiTokenErrorCodes.InvalidRequest);
        Assert.AreEqual(0, host.Store.Count);
    }

    [TestMethod]
    [TestCategory("R29")]
    public async Task SetAppState_StateList_400InvalidRequest()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        using var bob = await host.SignInAsync(ApiHost.Bob);

        var response = await bob.PutAsync($"/api/tokens/{token.Details.Token.Id}/apps/cli", new StringContent("""{"state":"allow, deny"}""", Encoding.UTF8, "application/json"), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 400, ApiTokenErrorCodes.InvalidRequest);
        Assert.IsEmpty((await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    [TestCategory("R30")]
    [DataRow("Origin", "http://evil.example", DisplayName = "another site")]
    [DataRow("Origin", "http://localhost:8081", DisplayName = "another port (same site)")]
    [DataRow("Origin", "https://localhost", DisplayName = "another scheme")]
    [DataRow("Origin", "null", DisplayName = "opaque origin (sandboxed frame, file:)")]
    [DataRow("Sec-Fetch-Site", "same-site", DisplayName = "same site, other origin")]
    [DataRow("Sec-Fetch-Site", "cross-site", DisplayName = "cross-site")]
    public async Task BrowserWriteFromAnotherOrigin_403CrossOriginRequest_NothingChanged(string header, string value)
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice);
        using var alice = await host.SignInAsync(ApiHost.Alice);
        var id = token.Details.Token.Id;
        HttpRequestMessage Attack(HttpMethod method, string path, string? json)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation(header, value);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "text/plain");
            }

            return request;
        }

        foreach (var (method, path, json) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Post, $"/api/tokens/{id}/retire", null),
            (HttpMethod.Post, $"/api/tokens/{id}/promote", null),
            (HttpMethod.Post, "/api/tokens", """{"type":"account"}"""),
            (HttpMethod.Patch, $"/api/tokens/{id}", """{"description":"x"}"""),
            (HttpMethod.Put, $"/api/tokens/{id}/apps/evil", """{"state":"allow"}"""),
        })
        {
            await ApiHost.ProblemAsync(await alice.SendAsync(Attack(method, path, json), TestContext.CancellationToken), 403, "CrossOriginRequest");
        }

        var stored = await host.Store.FindByIdAsync(id, TestContext.CancellationToken);
        Assert.IsFalse(stored!.IsRetired);
        Assert.AreEqual(TokenType.User, stored.Type);
        Assert.IsEmpty(stored.Apps);
        Assert.AreEqual(1, host.Store.Count);
    }

    [TestMethod]
    [TestCategory("R30")]
    public async Task SameOriginBrowserWrites_AndReadsFromAnywhere_Work()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice);
        using var alice = await host.SignInAsync(ApiHost.Alice);
        var sameOrigin = new HttpRequestMessage(HttpMethod.Post, $"/api/tokens/{token.Details.Token.Id}/retire");
        sameOrigin.Headers.TryAddWithoutValidation("Origin", "http://localhost");
        sameOrigin.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        var read = new HttpRequestMessage(HttpMethod.Get, "/api/tokens");
        read.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");

        Assert.AreEqual(HttpStatusCode.OK, (await alice.SendAsync(sameOrigin, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await alice.SendAsync(read, TestContext.CancellationToken)).StatusCode, "reads change nothing; CORS governs what a page may read");
    }

    [TestMethod]
    [TestCategory("R2")]
    public async Task ReadOnlyMember_Create_403ReadOnlyCannotCreate()
    {
        await using var host = await ApiHost.StartAsync();
        using var carol = await host.SignInAsync(ApiHost.Carol);

        var response = await carol.PostAsJsonAsync("/api/tokens", new { type = "user" }, TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 403, ApiTokenErrorCodes.ReadOnlyCannotCreate);
    }

    [TestMethod]
    [TestCategory("R5")]
    public async Task AnotherMembersToken_404ForEveryOperation()
    {
        await using var host = await ApiHost.StartAsync();
        var alices = await host.CreateTokenAsync(ApiHost.Alice);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var id = alices.Details.Token.Id;

        await ApiHost.ProblemAsync(await bob.GetAsync($"/api/tokens/{id}", TestContext.CancellationToken), 404, ApiTokenErrorCodes.TokenNotFound);
        await ApiHost.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "mine now" }, TestContext.CancellationToken), 404, ApiTokenErrorCodes.TokenNotFound);
        await ApiHost.ProblemAsync(await bob.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken), 404, ApiTokenErrorCodes.TokenNotFound);
        Assert.IsFalse((await host.Store.FindByIdAsync(id, TestContext.CancellationToken))!.IsRetired);
    }

    [TestMethod]
    [TestCategory("R10")]
    [TestCategory("R13")]
    public async Task AllowApp_ThenRetire_ThenChange409TokenRetired()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var id = token.Details.Token.Id;

        var allowed = await bob.PutAsJsonAsync($"/api/tokens/{id}/apps/Terraform%20v1.9", new { state = "allow" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, allowed.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "Terraform v1.9")).StatusCode);

        Assert.AreEqual(HttpStatusCode.OK, (await bob.PostAsync($"/api/tokens/{id}/retire", null, TestContext.CancellationToken)).StatusCode);

        await ApiHost.ProblemAsync(await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { description = "late" }, TestContext.CancellationToken), 409, ApiTokenErrorCodes.TokenRetired);
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "Terraform v1.9"), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    [TestCategory("R14")]
    public async Task Promote_OnlyByAnAdmin()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        using var alice = await host.SignInAsync(ApiHost.Alice);
        var id = token.Details.Token.Id;

        await ApiHost.ProblemAsync(await bob.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken), 403, ApiTokenErrorCodes.PromoteRequiresAdmin);
        var promoted = await alice.PostAsync($"/api/tokens/{id}/promote", null, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, promoted.StatusCode);
        Assert.AreEqual("account", (await promoted.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("type").GetString());
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFails_503WithRetryAfterFromTheOptions_SameProblemShapeAsTheScheme()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.StoreRetryAfter = TimeSpan.FromSeconds(9), wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        using var bob = await host.SignInAsync(ApiHost.Bob);
        store.FailReads = true;

        var management = await bob.GetAsync($"/api/tokens/{token.Details.Token.Id}", TestContext.CancellationToken);
        var scheme = await host.GetAsync(token.Secret);

        var fromManagement = await ApiHost.ProblemAsync(management, 503, ApiTokenFailureCodes.StoreUnavailable);
        var fromScheme = await ApiHost.ProblemAsync(scheme, 503, ApiTokenFailureCodes.StoreUnavailable);
        Assert.AreEqual(TimeSpan.FromSeconds(9), management.Headers.RetryAfter?.Delta);
        Assert.AreEqual(TimeSpan.FromSeconds(9), scheme.Headers.RetryAfter?.Delta);
        foreach (var field in new[] { "type", "title", "detail", "message", "explanation" })
        {
            Assert.AreEqual(fromScheme.GetProperty(field).GetString(), fromManagement.GetProperty(field).GetString(), field);
        }
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFails_TheValidatorLogsItOnce_TheHandlerDoesNot()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        store.FailReads = true;
        host.Logs.Clear();

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret), 503, ApiTokenFailureCodes.StoreUnavailable);

        var errors = host.Logs.GetSnapshot().Where(r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Error).ToList();
        Assert.HasCount(1, errors, string.Join("; ", errors.Select(e => e.Category + ": " + e.Message)));
        Assert.AreEqual(typeof(Validation.ApiTokenValidator).FullName, errors[0].Category);
    }
}
