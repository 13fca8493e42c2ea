using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Gateways;
using ApiTokens.Management;
using ApiTokens.Stores;
using ApiTokens.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Tests.Gateways;

// R40 through HTTP: a configured client asks about a token and gets the active answer, or exactly
// {"active": false}; the token is judged by the scheme's flow and cache.
[TestClass]
public sealed class IntrospectionTests
{
    private const string ClientSecret = "gateway-secret-0123456789";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R40")]
    [DataRow(null, DisplayName = "no credentials")]
    [DataRow("gateway:wrong-secret", DisplayName = "wrong secret")]
    [DataRow("other:" + ClientSecret, DisplayName = "unknown client")]
    public async Task WithoutValidClientCredentials_401WithBasicChallenge(string? credentials)
    {
        await using var host = await StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        var response = await IntrospectAsync(host, token.Secret, credentials: credentials);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.AreEqual("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task AnActiveToken_AnswersWhoItIs_AndRecordsTheApp()
    {
        await using var host = await StartAsync(core: o => o.Scopes["annotation:write"] = "Write annotations");
        var created = await host.ManageAsync(m => m.CreateAsync(ApiHost.Bob, new CreateApiTokenRequest
        {
            Type = TokenType.User, Privilege = TokenPrivilege.Normal, Scopes = ["annotation:write"], LifetimeDays = 30,
        }));
        var token = created.Value!;

        var response = await IntrospectAsync(host, token.Secret, app: "edge-gateway");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("no-store", response.Headers.CacheControl!.ToString());
        Assert.IsTrue(body.GetProperty("active").GetBoolean());
        Assert.AreEqual("api_token", body.GetProperty("token_type").GetString());
        Assert.AreEqual(token.Details.Token.Id, body.GetProperty("jti").GetString());
        Assert.AreEqual("acme", body.GetProperty("account").GetString());
        Assert.AreEqual("bob", body.GetProperty("sub").GetString());
        Assert.AreEqual("edge-gateway", body.GetProperty("client_id").GetString());
        Assert.AreEqual("normal", body.GetProperty("privilege").GetString());
        Assert.AreEqual("annotation:write", body.GetProperty("scope").GetString());
        Assert.AreEqual(token.Details.Token.CreatedAt.ToUnixTimeSeconds(), body.GetProperty("iat").GetInt64());
        Assert.AreEqual(token.Details.Token.ExpiresAt!.Value.ToUnixTimeSeconds(), body.GetProperty("exp").GetInt64());
        var stored = await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        Assert.IsTrue(stored!.Apps.Any(a => a.Name == "edge-gateway"), "the app is recorded as the API would (R8)");
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task EveryOtherCase_IsExactlyInactive()
    {
        await using var host = await StartAsync();
        var pending = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        var retired = await host.CreateTokenAsync(ApiHost.Bob);
        await host.ManageAsync(m => m.RetireAsync(ApiHost.Bob, retired.Details.Token.Id));

        foreach (var secret in new[] { "apt_unknown", pending.Secret, retired.Secret })
        {
            var response = await IntrospectAsync(host, secret);

            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.AreEqual("""{"active":false}""", await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task ACachedToken_IsAnsweredWithoutTheStore()
    {
        var store = new CountingStore();
        await using var host = await StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        await IntrospectAsync(host, token.Secret);
        var calls = store.Calls;

        var response = await IntrospectAsync(host, token.Secret);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(calls, store.Calls, "a hit does no store I/O");
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task AFailingStore_Is503_NotInactive()
    {
        var store = new CountingStore();
        await using var host = await StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        store.FailReads = true;

        var response = await IntrospectAsync(host, token.Secret);

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task AClientsFailures_AreThrottledUnderItsOwnKey()
    {
        await using var host = await StartAsync(core: o => o.FailureLimit = 3);
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        for (var i = 0; i < 4; i++)
        {
            await IntrospectAsync(host, $"apt_unknown{i}");
        }

        var response = await IntrospectAsync(host, token.Secret);

        Assert.AreEqual("""{"active":false}""", await response.Content.ReadAsStringAsync(TestContext.CancellationToken), "throttled (R27): an uncached token is not looked up");
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task ABodyThatIsNotAForm_Is400()
    {
        await using var host = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens/introspect") { Content = new StringContent("{\"token\":\"x\"}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("gateway:" + ClientSecret)));

        var response = await host.Client.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static Task<ApiHost> StartAsync(Action<ApiTokenOptions>? core = null, Func<IApiTokenStore, IApiTokenStore>? wrapStore = null)
        => ApiHost.StartAsync(
            core: core,
            wrapStore: wrapStore,
            gateways: true,
            services: s => s.Configure<ApiTokenIntrospectionOptions>(o => o.Clients.Add(new ApiTokenIntrospectionClient
            {
                ClientId = "gateway",
                SecretSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret))),
            })));

    private async Task<HttpResponseMessage> IntrospectAsync(ApiHost host, string secret, string? app = "gateway-app", string? credentials = "gateway:" + ClientSecret)
    {
        var form = new Dictionary<string, string> { ["token"] = secret };
        if (app is not null)
        {
            form["app"] = app;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens/introspect") { Content = new FormUrlEncodedContent(form) };
        if (credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        return await host.Client.SendAsync(request, TestContext.CancellationToken);
    }
}
