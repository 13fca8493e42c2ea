using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R38 on the page: a token expiring within 30 days says so ("Expires in 5 days") with a Rotate now
// action, a token idle past UnusedWarningAfter is marked, and the filter finds both. Checked with
// axe-core, and at 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R38")]
public sealed class LifecyclePageTests
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
    public async Task ExpiringAndIdleTokens_AreMarked_AndFoundByTheFilter()
    {
        // The service's clock an hour behind the browser's and an idle limit of 30 minutes: the tokens
        // it creates are an hour old, idle, to the page — no waiting.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var server = await SampleServer.StartAsync(b => b.Services.AddSingleton<TimeProvider>(clock), "--ApiTokens:UnusedWarningAfter=00:30:00");
        using (var alice = await server.SignInAsync("alice"))
        {
            await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "expiring bot", lifetimeDays = 5 });
            await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "long-lived bot", lifetimeDays = 365 });
        }

        var page = await Chromium.SignInAsync(s_browser!, server, "alice");

        var expiring = page.GetByTestId("token").Filter(new() { HasText = "expiring bot" });
        var longLived = page.GetByTestId("token").Filter(new() { HasText = "long-lived bot" });
        await Expect(expiring.GetByTestId("expiring-badge")).ToHaveTextAsync("Expires in 5 days");
        await Expect(longLived.GetByTestId("expiring-badge")).ToHaveCountAsync(0);
        await Expect(longLived.GetByTestId("idle-badge")).ToHaveTextAsync("Idle for 0 days");
        await Chromium.AssertAccessibleAsync(page);

        await page.FillAsync("#token-filter", "expiring");
        await Expect(expiring).ToBeVisibleAsync();
        await Expect(longLived).ToBeHiddenAsync();
        await page.FillAsync("#token-filter", "idle");
        await Expect(longLived).ToBeVisibleAsync();
        await page.FillAsync("#token-filter", "");

        await expiring.GetByRole(AriaRole.Button, new() { Name = "Rotate now" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await Chromium.AssertAccessibleAsync(page);
        await page.Keyboard.PressAsync("Escape");

        await page.SetViewportSizeAsync(390, 844);
        Assert.IsFalse(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"), "no sideways scrolling at 390 px");
        await Chromium.ShotAsync(TestContext, page, "lifecycle-marks-390px");
        await page.Context.CloseAsync();
    }

    [TestMethod]
    [TestCategory("R39")]
    public async Task ATokenThatMayRotateItself_IsCreatedWithTheSwitch_AndTheCardTurnsItOff()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await Chromium.SignInAsync(s_browser!, server, "alice");

        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.FillAsync("#create-description", "renewing job");
        await page.GetByLabel("It may rotate itself").CheckAsync();
        await Chromium.AssertAccessibleAsync(page);
        await page.ClickAsync("#create-submit");
        await Expect(page.GetByTestId("secret-panel")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("secret-value").TextContentAsync())!;

        var card = page.GetByTestId("token").Filter(new() { HasText = "renewing job" });
        var toggle = card.GetByRole(AriaRole.Checkbox, new() { Name = "Rotates itself" });
        await Expect(toggle).ToBeCheckedAsync();

        await toggle.UncheckAsync();
        await Expect(page.Locator("#alert")).ToContainTextAsync("may no longer rotate itself");
        using var api = server.CreateClient();
        var self = await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/api/tokens/self", secret), TestContext.CancellationToken);
        Assert.IsFalse((await self.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.CancellationToken)).GetProperty("selfRotate").GetBoolean());
        var rotate = await api.SendAsync(server.ApiRequest(HttpMethod.Post, "/api/tokens/self/rotate", secret), TestContext.CancellationToken);
        Assert.AreEqual(System.Net.HttpStatusCode.Forbidden, rotate.StatusCode);
        await Chromium.AssertAccessibleAsync(page);
        await page.Context.CloseAsync();
    }
}
