using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Auditing;
using ApiTokens.Management;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// R39 through HTTP: a token reads itself and rotates itself; its previous secret works until the new
// one's first successful use, and a later use of it is refused, reported, and (if so configured)
// retires the token.
[TestClass]
[TestCategory("R39")]
public sealed class SelfRotationTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Self_AnswersThePresentingTokensOwnJson_WithoutItsSecret()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await CreateAsync(host, selfRotate: false, lifetimeDays: 30);

        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/api/tokens/self", token.Secret), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(token.Details.Token.Id, body.GetProperty("id").GetString());
        Assert.AreEqual(token.Details.Token.ExpiresAt!.Value, body.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.IsFalse(body.TryGetProperty("secret", out _));
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/api/tokens/self", null), Ct)).StatusCode, "no token, no self");
    }

    [TestMethod]
    public async Task ATokenWithoutSelfRotate_Is403ForbiddenSelfRotate()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await CreateAsync(host, selfRotate: false);

        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", token.Secret), Ct);

        await ApiHost.ProblemAsync(response, 403, "Forbidden.SelfRotate");
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "nothing changed");
    }

    [TestMethod]
    public async Task SelfRotation_TheOldSecretWorksUntilTheNewOneIsUsed_ThenIsRefusedAndReported()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await CreateAsync(host, selfRotate: true, lifetimeDays: 30);
        host.Time.Advance(TimeSpan.FromDays(10));

        var rotate = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", token.Secret), Ct);
        var rotated = await rotate.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.AreEqual(HttpStatusCode.Created, rotate.StatusCode, rotated.ToString());
        var secret = rotated.GetProperty("secret").GetString()!;
        Assert.AreEqual(token.Details.Token.Id, rotated.GetProperty("id").GetString(), "the same token");
        Assert.AreEqual(host.Time.GetUtcNow().AddDays(30), rotated.GetProperty("expiresAt").GetDateTimeOffset(), "its 30-day lifetime again, from now");

        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "the previous secret, before the new one is used");
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(secret)).StatusCode, "the new secret's first use");
        await WaitForAsync(async () => (await host.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.PreviousSecretExpiresAt <= host.Time.GetUtcNow());

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret), 401, "Unauthorized.BadToken");
        await WaitForAsync(async () => (await host.Store.ListAuditAsync("acme", token.Details.Token.Id, null, 100, Ct)).Records.Any(r => r.Action == ApiTokenAuditActions.PreviousSecretReused));
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(secret)).StatusCode, "the token itself keeps working");
    }

    [TestMethod]
    public async Task WithRetireOnPreviousSecretReuse_AReusedPreviousSecretRetiresTheToken()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.RetireOnPreviousSecretReuse = true);
        var token = await CreateAsync(host, selfRotate: true);
        var rotate = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", token.Secret), Ct);
        var secret = (await rotate.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
        await host.GetAsync(secret);
        await WaitForAsync(async () => (await host.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.PreviousSecretExpiresAt <= host.Time.GetUtcNow());

        await host.GetAsync(token.Secret);

        await WaitForAsync(async () => (await host.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.IsRetired);
        Assert.AreEqual(ApiTokenAuditActors.PreviousSecretReuse, (await host.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.RetiredBy);
        await ApiHost.ProblemAsync(await host.GetAsync(secret), 401, "Unauthorized.BadToken");
    }

    [TestMethod]
    public async Task WithoutUse_ThePreviousSecretEndsWithTheGracePeriod()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.RotationGracePeriod = TimeSpan.FromMinutes(10));
        var token = await CreateAsync(host, selfRotate: true);
        await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", token.Secret), Ct);

        host.Time.Advance(TimeSpan.FromMinutes(11));

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret), 401, "Unauthorized.BadToken");
    }

    [TestMethod]
    public async Task SelfRotate_IsSetOnCreation_AndByPatch_Audited()
    {
        await using var host = await ApiHost.StartAsync();
        using var bob = await host.SignInAsync(ApiHost.Bob);
        var created = await bob.PostAsJsonAsync("/api/tokens", new { type = "user", selfRotate = true }, Ct);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.IsTrue(body.GetProperty("selfRotate").GetBoolean());
        var id = body.GetProperty("id").GetString()!;

        var patched = await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { selfRotate = false }, Ct);

        Assert.IsFalse((await patched.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("selfRotate").GetBoolean());
        var update = (await host.Store.ListAuditAsync("acme", id, null, 10, Ct)).Records.First(r => r.Action == ApiTokenAuditActions.Updated);
        Assert.IsTrue(update.Changes.Any(c => c.Field == "selfRotate" && c.Old == "true" && c.New == "false"));
    }

    [TestMethod]
    [TestCategory("R30")]
    public async Task CrossSiteRules_DoNotApplyToSelfRotation()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await CreateAsync(host, selfRotate: true);
        using var request = ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", token.Secret);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var response = await host.Client.SendAsync(request, Ct);

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<CreatedApiToken> CreateAsync(ApiHost host, bool selfRotate, int? lifetimeDays = null)
    {
        var result = await host.ManageAsync(m => m.CreateAsync(ApiHost.Bob, new CreateApiTokenRequest { Type = TokenType.User, SelfRotate = selfRotate, LifetimeDays = lifetimeDays }));
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value;
    }

    // The follow-ups of a request run after it: wait for their effect (bounded; nothing here sleeps for time rules).
    private async Task WaitForAsync(Func<Task<bool>> done)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(10), waited.Elapsed, "the follow-up did not happen");
            await Task.Delay(10, Ct);
        }
    }
}
