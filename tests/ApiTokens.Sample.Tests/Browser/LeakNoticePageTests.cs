using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R31 on the page: when GitHub reports a token's secret, its owner and the admins see a notice
// saying which token, where it was found and when, and the card says "Retired: found public at
// <url>"; a member who neither owns it nor is an admin sees nothing. Checked with axe-core, and at
// 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R31")]
public sealed class LeakNoticePageTests
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
    public async Task AReportedToken_TheOwnerAndAdminsAreTold_TheCardSaysWhereItWasFound()
    {
        await using var keys = await GitHubKeyServer.StartAsync();
        await using var server = await SampleServer.StartAsync(null, keys.SampleArgs);
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "bob's laptop script" });
        const string url = "https://github.com/bob/dotfiles/blob/main/.env";
        var body = JsonSerializer.Serialize(new[] { new { token = created.GetProperty("secret").GetString(), type = "apitokens_secret", url, source = "content" } });
        using var github = server.CreateClient();
        Assert.AreEqual(System.Net.HttpStatusCode.OK, (await github.SendAsync(keys.Report(server.Address, body), TestContext.CancellationToken)).StatusCode);

        foreach (var user in new[] { "bob", "alice" })
        {
            var page = await Chromium.SignInAsync(s_browser!, server, user);
            var notice = page.GetByTestId("leak-notice");
            await Expect(notice).ToHaveCountAsync(1);
            await Expect(notice).ToContainTextAsync("bob's laptop script");
            await Expect(notice.GetByRole(AriaRole.Link, new() { Name = url })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Tokens found in public and retired" })).ToBeVisibleAsync();
            var card = page.GetByTestId("token").Filter(new() { HasText = "bob's laptop script" });
            await Expect(card.GetByTestId("retired-badge")).ToHaveTextAsync($"Retired: found public at {url}");
            await Chromium.AssertAccessibleAsync(page);
            await page.SetViewportSizeAsync(390, 844);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
            Assert.IsFalse(overflow, "no sideways scrolling at 390 px");
            await Chromium.ShotAsync(TestContext, page, $"leak-notice-{user}");
            await page.Context.CloseAsync();
        }

        var carol = await Chromium.SignInAsync(s_browser!, server, "carol");
        await Expect(carol.GetByTestId("token-list")).ToBeVisibleAsync();
        await Expect(carol.GetByTestId("leak-notices")).ToBeHiddenAsync();
        await carol.Context.CloseAsync();
    }
}
