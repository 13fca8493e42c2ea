using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R42 on the page: the create dialog offers the declared scopes grouped by resource with their
// descriptions; the card shows what a token is narrowed to, and the token works only where its
// scopes reach. Checked with axe-core, and at 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R42")]
public sealed class ScopePageTests
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
    public async Task Alice_NarrowsANewTokenToAnnotationWrites_TheCardSaysSo_AndTheTokenWorksOnlyThere()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await Chromium.SignInAsync(s_browser!, server, "alice");

        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.SelectOptionAsync("#create-privilege", "normal");
        await page.FillAsync("#create-description", "annotation bot");
        var scopes = page.GetByRole(AriaRole.Group, new() { Name = "Scopes" });
        await Expect(scopes.GetByRole(AriaRole.Group, new() { Name = "annotation" }).GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(2);
        await Expect(scopes).ToContainTextAsync("Create and delete annotations");
        await scopes.GetByRole(AriaRole.Checkbox, new() { Name = "annotation:write — Create and delete annotations" }).CheckAsync();
        await Chromium.AssertAccessibleAsync(page);
        await page.ClickAsync("#create-submit");

        await Expect(page.GetByTestId("secret-panel")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("secret-value").TextContentAsync())!;
        var card = page.GetByTestId("token").Filter(new() { HasText = "annotation bot" });
        await Expect(card.GetByTestId("scopes")).ToHaveTextAsync("annotation:write");
        await Chromium.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 844);
        Assert.IsFalse(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"), "no sideways scrolling at 390 px");
        await Chromium.ShotAsync(TestContext, page, "scopes-card-390px");

        using var api = server.CreateClient();
        var write = server.ApiRequest(HttpMethod.Post, "/v2/annotation", secret);
        write.Content = System.Net.Http.Json.JsonContent.Create(new { title = "deploy", category = "ci", start = 1_700_000_000, stop = 1_700_000_060 });
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(write, TestContext.CancellationToken)).StatusCode);
        await SampleServer.ProblemAsync(await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret), TestContext.CancellationToken), 403, "Forbidden.Scope");
        await page.Context.CloseAsync();
    }
}
