using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R33 and R34 on the page: each card's "Networks and rate limit" editor shows the browser's own
// address, asks before saving ranges that leave it out (and saves nothing when told no), saves
// ranges and a limit that then hold on the API, shows a malformed range's error, and the history
// says where a request was blocked from. Checked with axe-core and at 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R33")]
public sealed class AccessEditorPageTests
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
    public async Task TheEditor_ShowsTheOwnAddress_AsksBeforeLockingItOut_AndSavesWhatTheApiThenHolds()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "allow", description = "deploy script" });
        var secret = created.GetProperty("secret").GetString()!;
        var page = await Chromium.SignInAsync(s_browser!, server, "bob", acceptDialogs: false);
        var card = page.GetByTestId("token").Filter(new() { HasText = "deploy script" });
        await card.GetByTestId("access-summary").ClickAsync();
        await Expect(card.GetByTestId("own-address")).ToHaveTextAsync("Your address: 127.0.0.1");
        var ranges = card.GetByLabel("Allowed networks — one CIDR range or address per line; empty for any");

        // A range without this browser's address: asked; "no" saves nothing.
        string? asked = null;
        page.Dialog += DeclineAsync;
        await ranges.FillAsync("203.0.113.0/24");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save networks and rate limit of token “deploy script”" }).ClickAsync();
        for (var attempt = 0; attempt < 100 && asked is null; attempt++)
        {
            await Task.Delay(50, TestContext.CancellationToken);
        }

        StringAssert.Contains(asked, "127.0.0.1", "the dialog names the browser's own address");
        page.Dialog -= DeclineAsync;
        Assert.AreEqual(0, (await bob.GetFromJsonAsync<JsonElement>($"/api/tokens/{created.GetProperty("id").GetString()}", TestContext.CancellationToken)).GetProperty("allowedNetworks").GetArrayLength(), "declined: nothing saved");

        // A malformed range: the service's message is shown.
        await ranges.FillAsync("10.0.0.0/33");
        page.Dialog += AcceptAsync;
        await card.GetByRole(AriaRole.Button, new() { Name = "Save networks and rate limit of token “deploy script”" }).ClickAsync();
        await Expect(page.Locator("#alert")).ToContainTextAsync("InvalidNetwork");

        // The page re-renders after the refusal: the editor stays open with what was typed.

        // Ranges that hold it, and a limit of 2 per minute: saved, and the API holds them.
        card = page.GetByTestId("token").Filter(new() { HasText = "deploy script" });
        await Expect(card.GetByLabel("Allowed networks — one CIDR range or address per line; empty for any")).ToHaveValueAsync("10.0.0.0/33", new() { Timeout = 10_000 });
        await card.GetByLabel("Allowed networks — one CIDR range or address per line; empty for any").FillAsync("127.0.0.0/8\n::1");
        await card.GetByLabel("Requests (empty: no limit of its own)").FillAsync("2");
        await card.GetByLabel("per seconds").FillAsync("60");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save networks and rate limit of token “deploy script”" }).ClickAsync();
        await Expect(page.Locator("#alert")).ToContainTextAsync("Networks and rate limit saved.");
        card = page.GetByTestId("token").Filter(new() { HasText = "deploy script" });
        await Expect(card.GetByTestId("access-summary")).ToHaveTextAsync("Networks and rate limit: 2 networks, 2 requests per 60 s");

        using var api = server.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken)).StatusCode);
        }

        CollectionAssert.AreEqual(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }, statuses);
        await Chromium.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 844);
        Assert.IsFalse(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"), "no sideways scrolling at 390 px");
        await Chromium.ShotAsync(TestContext, page, "access-editor");
        await page.Context.CloseAsync();

        void DeclineAsync(object? sender, IDialog dialog)
        {
            asked = dialog.Message;
            _ = dialog.DismissAsync();
        }

        static void AcceptAsync(object? sender, IDialog dialog) => _ = dialog.AcceptAsync();
    }
}
