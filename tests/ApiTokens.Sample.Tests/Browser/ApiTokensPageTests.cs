using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// The API Tokens page in a real browser (Debian's Chromium, driven by Playwright) against the
// running sample. Every step saves a screenshot as a test artifact.
[TestClass]
[DoNotParallelize]
public sealed class ApiTokensPageTests
{
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;
    private static SampleServer? s_server;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        (s_playwright, s_browser) = await Chromium.LaunchAsync();
        s_server = await SampleServer.StartAsync();
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.CloseAsync();
        }

        s_playwright?.Dispose();
        if (s_server is not null)
        {
            await s_server.DisposeAsync();
        }
    }

    [TestMethod]
    [TestCategory("R8")]
    [TestCategory("R10")]
    [TestCategory("R17")]
    public async Task Alice_CreatesPendingReadOnlyToken_AppAppearsAfterReload_AllowsIt_RequestSucceeds()
    {
        var page = await SignInAsync("alice");
        await ShotAsync(page, "alice-01-signed-in");

        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.SelectOptionAsync("#create-privilege", "readOnly");
        await page.SelectOptionAsync("#create-default-state", "pending");
        await page.FillAsync("#create-description", "browser walkthrough");
        await ShotAsync(page, "alice-02-create-dialog");
        await page.ClickAsync("#create-submit");

        await Expect(page.GetByTestId("secret-panel")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("secret-value").TextContentAsync())!;
        StringAssert.StartsWith(secret, "apt_");
        await Expect(page.GetByTestId("curl-line")).ToContainTextAsync($"X-Circonus-Auth-Token: {secret}");
        await Expect(page.GetByTestId("curl-line")).ToContainTextAsync("X-Circonus-App-Name: my-script");
        var card = Card(page, "browser walkthrough");
        await Expect(card.Locator("[data-field=privilege]")).ToHaveValueAsync("readOnly");
        await Expect(card.Locator("[data-field=defaultAppState]")).ToHaveValueAsync("pending");
        await ShotAsync(page, "alice-03-secret-shown-once");

        using var api = s_server!.CreateClient();
        var pending = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "browser-app 1.0"), TestContext.CancellationToken);
        await SampleServer.ProblemAsync(pending, 401, "Unauthorized.PendingApp");

        await page.ReloadAsync();
        var app = Card(page, "browser walkthrough").Locator("tr[data-app='browser-app 1.0']");
        await Expect(app.GetByTestId("app-state")).ToHaveTextAsync("Pending");
        Assert.DoesNotContain(secret, await page.ContentAsync(), "the secret is never shown again");
        await ShotAsync(page, "alice-04-app-pending-after-reload");

        await app.Locator("[data-action=allow-app]").ClickAsync();
        await Expect(Card(page, "browser walkthrough").Locator("tr[data-app='browser-app 1.0']").GetByTestId("app-state")).ToHaveTextAsync("Allow");
        await ShotAsync(page, "alice-05-app-allowed");

        var allowed = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "browser-app 1.0"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, allowed.StatusCode);
        Assert.AreEqual("/user/alice", (await allowed.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("_cid").GetString());
    }

    [TestMethod]
    [TestCategory("R3")]
    [TestCategory("R4")]
    [TestCategory("R5")]
    [TestCategory("R14")]
    public async Task Bob_SeesNoAccountTokens_NoPromoteButton_OnlyPrivilegesHeMayGrant()
    {
        using var alice = await s_server!.SignInAsync("alice");
        await SampleServer.CreateTokenAsync(alice, new { type = "account", description = "ops account token" });
        await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "alice private token" });

        var page = await SignInAsync("bob");
        await page.ClickAsync("#new-token");
        await Expect(page.Locator("#new-user-token")).ToBeVisibleAsync();
        await Expect(page.Locator("#new-account-token")).ToBeHiddenAsync();
        await ShotAsync(page, "bob-01-menu-without-account-token");

        await page.ClickAsync("#new-user-token");
        await Expect(page.Locator("#create-privilege option[value=admin]")).ToBeDisabledAsync();
        await Expect(page.Locator("#create-privilege option[value=normal]")).ToBeEnabledAsync();
        await page.FillAsync("#create-description", "bob script");
        await page.ClickAsync("#create-submit");
        await Expect(Card(page, "bob script")).ToBeVisibleAsync();
        await page.ClickAsync("#dismiss-secret");

        await Expect(page.GetByText("ops account token")).ToHaveCountAsync(0);
        await Expect(page.GetByText("alice private token")).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-testid=token-type]", new() { HasText = "Account token" })).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-action=promote]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#members")).ToBeHiddenAsync();
        await ShotAsync(page, "bob-02-own-tokens-only");
    }

    [TestMethod]
    [TestCategory("R13")]
    [TestCategory("R14")]
    public async Task Alice_PromotesBobsToken_AndRetiresHers()
    {
        using var bob = await s_server!.SignInAsync("bob");
        await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "bob nightly job" });
        using var aliceApi = await s_server.SignInAsync("alice");
        var hers = await SampleServer.CreateTokenAsync(aliceApi, new { type = "user", description = "alice old laptop" });

        var page = await SignInAsync("alice");
        var bobsCard = Card(page, "bob nightly job");
        await Expect(bobsCard.GetByTestId("token-type")).ToHaveTextAsync("User token");
        await ShotAsync(page, "admin-01-before");
        await Chromium.AssertAccessibleAsync(page);

        // WCAG 2.5.3: the button's name starts with the words it shows.
        await bobsCard.GetByRole(AriaRole.Button, new() { Name = "Promote to account token" }).ClickAsync();
        await Expect(Card(page, "bob nightly job").GetByTestId("token-type")).ToHaveTextAsync("Account token");
        await Expect(Card(page, "bob nightly job").Locator("[data-action=promote]")).ToHaveCountAsync(0);
        await ShotAsync(page, "admin-02-promoted");

        await Card(page, "alice old laptop").Locator("[data-action=retire]").ClickAsync();
        await Expect(Card(page, "alice old laptop").GetByTestId("retired-badge")).ToBeVisibleAsync();
        await Expect(Card(page, "alice old laptop").Locator("[data-field=privilege]")).ToBeDisabledAsync();
        await ShotAsync(page, "admin-03-retired");

        using var api = s_server.CreateClient();
        var response = await api.SendAsync(s_server.ApiRequest(HttpMethod.Get, "/v2/user/current", hers.GetProperty("secret").GetString()!), TestContext.CancellationToken);
        await SampleServer.ProblemAsync(response, 401, "Unauthorized.BadToken");

        var bobsList = await bob.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken);
        Assert.IsFalse(bobsList!.Any(t => t.GetProperty("description").GetString() == "bob nightly job"), "the promoted token left bob's list");
    }

    [TestMethod]
    [TestCategory("R2")]
    public async Task Carol_ReadOnly_CannotCreate()
    {
        var page = await SignInAsync("carol");

        await Expect(page.Locator("#new-token")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("who-role")).ToHaveTextAsync("Read only");
        await ShotAsync(page, "carol-01-read-only");
    }

    [TestMethod]
    [TestCategory("R30")]
    public async Task PageOnAnotherPort_TriesToRetireAndPromote_NothingChanges_OwnPageStillWorks()
    {
        // Alice is signed in on the sample's page; her cookie is SameSite=Strict, and a page on another
        // port of the same host is the same site, so the browser sends it along (the reported attack).
        var page = await SignInAsync("alice");
        using var alice = await s_server!.SignInAsync("alice");
        var first = (await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "attack target one" })).GetProperty("id").GetString()!;
        var second = (await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "attack target two" })).GetProperty("id").GetString()!;
        var sample = s_server.Address.ToString().TrimEnd('/');

        await using var attacker = await AttackerAsync($$"""
            <!doctype html><title>win a prize</title>
            <form id="f" method="post" enctype="text/plain" action="{{sample}}/api/tokens/{{second}}/retire"><input name='{"x":"' value='"}'></form>
            <script>
              fetch("{{sample}}/api/tokens/{{first}}/promote", { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body: "{}" })
                .finally(() => fetch("{{sample}}/api/tokens/{{first}}/retire", { method: "POST", mode: "no-cors", credentials: "include" }))
                .finally(() => document.getElementById("f").submit());
            </script>
            """);
        var promote = page.WaitForResponseAsync(r => r.Url.EndsWith($"/{first}/promote", StringComparison.Ordinal));
        var retire = page.WaitForResponseAsync(r => r.Url.EndsWith($"/{first}/retire", StringComparison.Ordinal));
        var form = page.WaitForResponseAsync(r => r.Url.EndsWith($"/{second}/retire", StringComparison.Ordinal));
        await page.GotoAsync(attacker.Address, new() { WaitUntil = WaitUntilState.Commit });   // its form navigates on

        Assert.AreEqual(403, (await promote).Status, "the request reached the sample and was refused");
        Assert.AreEqual(403, (await retire).Status);
        Assert.AreEqual(403, (await form).Status);
        foreach (var id in new[] { first, second })
        {
            var token = await alice.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", TestContext.CancellationToken);
            Assert.IsFalse(token.GetProperty("retired").GetBoolean(), id);
            Assert.AreEqual("user", token.GetProperty("type").GetString(), id);
        }

        // The sample's own page, same origin, keeps working in the same browser (a new tab: the attack
        // page's form may still be navigating in the first).
        var own = await page.Context.NewPageAsync();
        own.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await own.GotoAsync(sample + "/");
        await Card(own, "attack target one").Locator("[data-action=retire]").ClickAsync();
        await Expect(Card(own, "attack target one").GetByTestId("retired-badge")).ToBeVisibleAsync();
        await ShotAsync(own, "alice-csrf-refused-own-page-works");
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task StaleTab_RetireAfterAChangeElsewhere_RefusedWithChangedElsewhere_AndReloaded()
    {
        using var bob = await s_server!.SignInAsync("bob");
        var id = (await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "readOnly", description = "two tabs token" })).GetProperty("id").GetString()!;
        var stale = await SignInAsync("bob");
        var fresh = await SignInAsync("bob");
        await Expect(Card(stale, "two tabs token")).ToBeVisibleAsync();

        await Card(fresh, "two tabs token").Locator("[data-field=privilege]").SelectOptionAsync("normal");
        await Expect(fresh.Locator("#alert")).ToContainTextAsync("Privilege changed");

        await Card(stale, "two tabs token").Locator("[data-action=retire]").ClickAsync();

        await Expect(stale.Locator("#alert")).ToContainTextAsync("changed elsewhere");
        await Expect(Card(stale, "two tabs token").Locator("[data-field=privilege]")).ToHaveValueAsync("normal");
        await Expect(Card(stale, "two tabs token").GetByTestId("retired-badge")).ToHaveCountAsync(0);
        await ShotAsync(stale, "bob-stale-tab-changed-elsewhere");
        var token = await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{id}", TestContext.CancellationToken);
        Assert.IsFalse(token.GetProperty("retired").GetBoolean(), "the stale tab changed nothing");

        await Card(stale, "two tabs token").Locator("[data-action=retire]").ClickAsync();
        await Expect(Card(stale, "two tabs token").GetByTestId("retired-badge")).ToBeVisibleAsync();
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task MoreTokensThanOnePage_ThePageLoadsEveryPage()
    {
        using var dave = await s_server!.SignInAsync("dave");
        for (var i = 0; i < 105; i++)
        {
            await SampleServer.CreateTokenAsync(dave, new { type = "account", description = $"fleet token {i:D3}" });
        }

        var first = await dave.GetAsync("/api/tokens", TestContext.CancellationToken);
        Assert.IsTrue(first.Headers.Contains("Link"), "the API pages at 100");

        var page = await SignInAsync("dave");

        await Expect(page.Locator("[data-testid=token]", new() { Has = page.Locator(".desc", new() { HasTextString = "fleet token" }) })).ToHaveCountAsync(105);
        await Expect(Card(page, "fleet token 104")).ToBeVisibleAsync();
        await Expect(Card(page, "fleet token 000")).ToBeVisibleAsync();
    }

    // A page served from another port of the same host: same site, another origin.
    private static async Task<Attacker> AttackerAsync(string html)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(html, "text/html"));
        await app.StartAsync();
        return new Attacker(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    private sealed record Attacker(WebApplication App, string Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private async Task<IPage> SignInAsync(string user)
    {
        var context = await s_browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = s_server!.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = user, Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("who-name")).ToContainTextAsync($"({user})");
        return page;
    }

    private static ILocator Card(IPage page, string description)
        => page.Locator("[data-testid=token]", new() { Has = page.Locator(".desc", new() { HasTextString = description }) });

    private Task ShotAsync(IPage page, string name) => Chromium.ShotAsync(TestContext, page, name);
}
