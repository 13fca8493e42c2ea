using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ApiTokens.Sample.Tests.Api;

// What real Circonus clients send, written from their wire shapes (docs/sample.md): the COSI installer drops
// the /v2 base path; go-apiclient and the COSI library send JSON bodies without a Content-Type;
// go-apiclient PUTs to the account's _cid; python-circonusapi fetches _cid values it was given.
[TestClass]
public sealed class CirconusClientShapesTests
{
    private static SampleServer s_server = null!;
    private static string s_admin = null!;
    private static string s_normal = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_server = await SampleServer.StartAsync();
        using var alice = await s_server.SignInAsync("alice");
        s_admin = (await SampleServer.CreateTokenAsync(alice, new { type = "account", privilege = "admin" })).GetProperty("secret").GetString()!;
        s_normal = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal" })).GetProperty("secret").GetString()!;
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_server.DisposeAsync();

    [TestMethod]
    [DataRow("/v2/account/current")]
    [DataRow("/account/current")]
    [DataRow("/v2/account/current/")]
    [DataRow("/account/current/")]
    public async Task AccountCurrent_WithAndWithoutV2_AndTrailingSlash(string path)
    {
        using var api = s_server.CreateClient();

        var response = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, path, s_normal, "cosi-install"), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual("/account/acme", (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString());
    }

    [TestMethod]
    [DataRow("/v2")]
    [DataRow("")]
    public async Task PostAnnotation_JsonBodyWithoutContentType_Created_AndItsCidFetchable(string basePath)
    {
        using var api = s_server.CreateClient();
        var request = s_server.ApiRequest(HttpMethod.Post, basePath + "/annotation", s_normal, "go-apiclient");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"title":"deploy","category":"ci","start":1700000000,"stop":1700000060}"""));
        Assert.IsNull(request.Content.Headers.ContentType, "sent exactly as those clients send it");

        var created = await api.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, created.StatusCode, await created.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var cid = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString()!;
        foreach (var prefix in new[] { string.Empty, "/v2" })
        {
            var fetched = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, prefix + cid, s_normal, "go-apiclient"), TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, fetched.StatusCode, prefix + cid);
            Assert.AreEqual(cid, (await fetched.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString());
        }
    }

    [TestMethod]
    [TestCategory("R16")]
    public async Task PutAccountCid_WithoutContentType_AdminOnly()
    {
        using var api = s_server.CreateClient();
        HttpRequestMessage Put(string secret)
        {
            var request = s_server.ApiRequest(HttpMethod.Put, "/account/acme", secret, "go-apiclient");
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"description":"set through the _cid"}"""));
            return request;
        }

        await SampleServer.ProblemAsync(await api.SendAsync(Put(s_normal), TestContext.CancellationToken), 403, "Forbidden.InsufficientPrivilege");
        var updated = await api.SendAsync(Put(s_admin), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, updated.StatusCode, await updated.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual("set through the _cid", (await updated.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("description").GetString());
    }

    [TestMethod]
    public async Task UserCid_FetchableForMembers_NotFoundForOthers()
    {
        using var api = s_server.CreateClient();

        var alice = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/user/alice", s_normal), TestContext.CancellationToken);
        var bobV2 = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/bob", s_normal), TestContext.CancellationToken);
        var dave = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/user/dave", s_normal), TestContext.CancellationToken);
        var globex = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/account/globex", s_normal), TestContext.CancellationToken);

        Assert.AreEqual("/user/alice", (await alice.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString());
        Assert.AreEqual(HttpStatusCode.OK, bobV2.StatusCode);
        await ProblemWithCirconusFieldsAsync(dave, 404, "NotFound");
        await ProblemWithCirconusFieldsAsync(globex, 404, "NotFound");
    }

    [TestMethod]
    public async Task UnknownRoute_404ProblemJsonWithCodeMessageReference()
    {
        using var api = s_server.CreateClient();

        await ProblemWithCirconusFieldsAsync(await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/check_bundle", s_normal), TestContext.CancellationToken), 404, "NotFound");
        await ProblemWithCirconusFieldsAsync(await api.GetAsync("/no/such/page", TestContext.CancellationToken), 404, "NotFound");
    }

    [TestMethod]
    public async Task WrongMethod_405ProblemJson_GetLoginIncluded()
    {
        using var api = s_server.CreateClient();

        await ProblemWithCirconusFieldsAsync(await api.GetAsync("/login", TestContext.CancellationToken), 405, "MethodNotAllowed");
        await ProblemWithCirconusFieldsAsync(await api.SendAsync(s_server.ApiRequest(HttpMethod.Post, "/v2/user/current", s_normal), TestContext.CancellationToken), 405, "MethodNotAllowed");
    }

    [TestMethod]
    public async Task SampleOwnErrors_CarryReference()
    {
        using var api = s_server.CreateClient();

        var response = await api.PostAsJsonAsync("/login", new { userName = "" }, TestContext.CancellationToken);

        await ProblemWithCirconusFieldsAsync(response, 400, "InvalidRequest");
    }

    [TestMethod]
    [TestCategory("R29")]
    public async Task UnknownCharset_LoginAndMembers_400NotServerError()
    {
        using var alice = await s_server.SignInAsync("alice");
        using var api = s_server.CreateClient();
        HttpContent Utf7(string json)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-7");
            return content;
        }

        await ProblemWithCirconusFieldsAsync(await api.PostAsync("/login", Utf7("""{"userName":"bob"}"""), TestContext.CancellationToken), 400, "InvalidRequest");
        await ProblemWithCirconusFieldsAsync(await alice.PutAsync("/api/members/carol", Utf7("""{"role":"admin"}"""), TestContext.CancellationToken), 400, "InvalidRequest");
        await ProblemWithCirconusFieldsAsync(await alice.PostAsync("/api/tokens", Utf7("""{"type":"user"}"""), TestContext.CancellationToken), 400, "InvalidRequest");
    }

    private static async Task ProblemWithCirconusFieldsAsync(HttpResponseMessage response, int status, string code)
    {
        var body = await SampleServer.ProblemAsync(response, status, code);
        foreach (var field in new[] { "message", "reference" })
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(body.GetProperty(field).GetString()), field);
        }
    }
}
