using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// the page as each demo member uses it — admins that cannot lock an account out, tabs that
// learn about changes made elsewhere, live pending apps, the secret panel, the keyboard, a phone.
// Each test has a sample of its own (members are removed and demoted here).
[TestClass]
[TestCategory("Browser")]
public sealed class PageUsabilityTests
{
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        (s_playwright, s_browser) = await Chromium.LaunchAsync();
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.CloseAsync();
        }

        s_playwright?.Dispose();
    }

    [TestMethod]
    public async Task LastAdmin_CannotDemoteOrRemoveThemself_AndTheMemberListIsForAdminsOnly()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        using var bob = await server.SignInAsync("bob");

        await SampleServer.ProblemAsync(await alice.PutAsJsonAsync("/api/members/alice", new { role = "normal" }, TestContext.CancellationToken), 409, "LastAdmin");
        await SampleServer.ProblemAsync(await alice.DeleteAsync("/api/members/alice", TestContext.CancellationToken), 409, "LastAdmin");
        await SampleServer.ProblemAsync(await bob.GetAsync("/api/members", TestContext.CancellationToken), 403, "AdminRequired");

        var page = await SignInAsync(server, "alice");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Role of alice" }).SelectOptionAsync("normal");

        await Expect(page.Locator("#alert")).ToContainTextAsync("at least one admin");
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Role of alice" })).ToHaveValueAsync("admin");
        await Expect(page.GetByTestId("who-role")).ToHaveTextAsync("Admin");
        await ShotAsync(page, "issue15-last-admin-refused");

        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync("/api/members/bob", new { role = "admin" }, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync("/api/members/alice", new { role = "normal" }, TestContext.CancellationToken)).StatusCode, "with another admin, alice may step down");
    }

    [TestMethod]
    public async Task RemovedMember_TheOpenTabLearnsWithinSeconds_AndSignInNoLongerOffersThem()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var page = await SignInAsync(server, "bob");
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.FillAsync("#create-description", "bob's script");
        await page.ClickAsync("#create-submit");
        await page.ClickAsync("#dismiss-secret");
        await Expect(page.Locator("[data-action=retire]")).ToBeEnabledAsync();

        Assert.AreEqual(HttpStatusCode.OK, (await alice.DeleteAsync("/api/members/bob", TestContext.CancellationToken)).StatusCode);

        await Expect(page.GetByTestId("not-member")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(page.Locator("[data-action=retire]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#new-token")).ToBeDisabledAsync();
        await ShotAsync(page, "issue15-removed-member-tab");

        await page.ClickAsync("#logout");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "alice", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "bob", Exact = true })).ToHaveCountAsync(0);
    }

    [TestMethod]
    public async Task PendingApp_AppearsWithoutARefresh_WithTheCountOfAppsWaiting()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var secret = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal", defaultAppState = "pending", description = "waits for me" })).GetProperty("secret").GetString()!;
        var page = await SignInAsync(server, "alice");
        await Expect(page.GetByTestId("pending-count")).ToBeHiddenAsync();

        using var api = server.CreateClient();
        await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "nightly-report"), TestContext.CancellationToken);

        var row = page.Locator("tr[data-app='nightly-report']");
        await Expect(row.GetByTestId("app-state")).ToHaveTextAsync("Pending", new() { Timeout = 10_000 });
        await Expect(page.GetByTestId("pending-count")).ToHaveTextAsync("1 app waiting for your approval");
        await ShotAsync(page, "issue15-pending-app-live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Allow nightly-report for token “waits for me”" }).ClickAsync();
        await Expect(page.GetByTestId("pending-count")).ToBeHiddenAsync();
    }

    [TestMethod]
    public async Task DemotedElsewhere_RefreshRereadsWhoYouAre_AndReadOnlyEmptyStateSaysWhy()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var page = await SignInAsync(server, "bob");
        await Expect(page.Locator("#new-token")).ToBeEnabledAsync();

        Assert.AreEqual(HttpStatusCode.OK, (await alice.PutAsJsonAsync("/api/members/bob", new { role = "readOnly" }, TestContext.CancellationToken)).StatusCode);
        await page.ClickAsync("#refresh");

        await Expect(page.GetByTestId("who-role")).ToHaveTextAsync("Read only");
        await Expect(page.Locator("#new-token")).ToBeDisabledAsync();
        await Expect(page.Locator(".empty.card")).ToContainTextAsync("Read-only members cannot create tokens");
        await Expect(page.Locator(".empty.card")).Not.ToContainTextAsync("Use “New token”");
        await ShotAsync(page, "issue15-demoted-refresh");
    }

    [TestMethod]
    public async Task SecretPanel_NamesItsToken_WarnsWhenTryItWillBeRefused_AndASecondCreateAsksFirst()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await SignInAsync(server, "bob", acceptDialogs: false);
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.SelectOptionAsync("#create-default-state", "pending");
        await page.FillAsync("#create-description", "first script");
        await page.ClickAsync("#create-submit");

        await Expect(page.GetByTestId("secret-token")).ToContainTextAsync("first script");
        await Expect(page.GetByTestId("try-warning")).ToContainTextAsync("Pending");
        await Expect(page.GetByTestId("secret-panel")).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.Locator("#secret-title")).ToBeFocusedAsync();
        var first = await page.GetByTestId("secret-value").TextContentAsync();

        string? asked = null;
        page.Dialog += (_, dialog) => { asked = dialog.Message; _ = dialog.DismissAsync(); };
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");

        await Expect(page.Locator("#create-dialog")).Not.ToBeVisibleAsync();
        Assert.IsNotNull(asked);
        StringAssert.Contains(asked, "first script");
        Assert.AreEqual(first, await page.GetByTestId("secret-value").TextContentAsync(), "the unsaved secret is still shown");
        await ShotAsync(page, "issue15-secret-panel-named");
    }

    [TestMethod]
    public async Task Keyboard_SignInMenuButtonAndDialog_KeepFocusWhereItBelongs()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await NewPageAsync(server, 1280);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "bob", Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#page-title")).ToBeFocusedAsync();

        await page.Locator("#new-token").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#new-user-token")).ToBeFocusedAsync();
        await Expect(page.Locator("#new-token")).ToHaveAttributeAsync("aria-expanded", "true");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator("#new-user-token")).ToBeFocusedAsync();   // bob has one item: it wraps
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#new-token-menu")).ToBeHiddenAsync();
        await Expect(page.Locator("#new-token")).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#new-user-token")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#create-dialog")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#create-dialog")).Not.ToBeVisibleAsync();
        await Expect(page.Locator("#new-token")).ToBeFocusedAsync();
    }

    [TestMethod]
    public async Task Phone_390px_NothingWiderThanTheScreen_AppNamesReadable()
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var secret = (await SampleServer.CreateTokenAsync(alice, new { type = "user", privilege = "normal", defaultAppState = "pending", description = "phone token" })).GetProperty("secret").GetString()!;
        using var api = server.CreateClient();
        await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "terraform-provider-circonus/0.12.13 (linux amd64)"), TestContext.CancellationToken);

        var page = await NewPageAsync(server, 390);
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = "alice", Exact = true }).ClickAsync();
        var name = page.Locator(".app-name").First;
        await Expect(name).ToBeVisibleAsync();

        var widths = await page.EvaluateAsync<JsonElement>("() => ({ page: document.documentElement.scrollWidth, name: document.querySelector('.app-name').getBoundingClientRect().width })");
        await ShotAsync(page, "issue15-phone-390");
        Assert.IsLessThanOrEqualTo(390, widths.GetProperty("page").GetDouble(), "no horizontal scrolling");
        Assert.IsGreaterThan(200, widths.GetProperty("name").GetDouble(), "an app name gets the row's width, not one letter per line");
    }

    [TestMethod]
    public async Task ExpiredSession_AChangeSaysItWasNotSaved()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        await SampleServer.CreateTokenAsync(bob, new { type = "user", privilege = "readOnly", description = "session token" });
        var page = await SignInAsync(server, "bob");
        await Expect(page.Locator("[data-field=privilege]")).ToBeEnabledAsync();

        await page.Context.ClearCookiesAsync();
        await page.Locator("[data-field=privilege]").SelectOptionAsync("normal");

        await Expect(page.Locator("#signin .alert")).ToContainTextAsync("not saved");
        await ShotAsync(page, "issue15-session-ended");
    }

    private static Task<IPage> NewPageAsync(SampleServer server, int width) => Chromium.NewPageAsync(s_browser!, server, width);

    private static Task<IPage> SignInAsync(SampleServer server, string user, bool acceptDialogs = true) => Chromium.SignInAsync(s_browser!, server, user, acceptDialogs);

    private Task ShotAsync(IPage page, string name) => Chromium.ShotAsync(TestContext, page, name);
}
