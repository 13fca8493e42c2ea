using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R35 on the page: a token's usage chart (labelled, with a table per app as its text alternative),
// apps that keep knocking while pending or denied marked, each app's 30-day total beside its last
// use; with many tokens, retired ones grouped and collapsed at the end and a filter by description,
// app name and state. axe-core and 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R35")]
public sealed class UsagePageTests
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
    public async Task TheChartAndItsTable_KnockingAppsStandOut_RetiredGrouped_FilterFinds()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        using var api = server.CreateClient();
        var used = await SampleServer.CreateTokenAsync(bob, new { type = "user", defaultAppState = "pending", description = "release pipeline" });
        var secret = used.GetProperty("secret").GetString()!;
        Assert.AreEqual(System.Net.HttpStatusCode.OK, (await bob.PutAsJsonAsync($"/api/tokens/{used.GetProperty("id").GetString()}/apps/terraform", new { state = "allow" }, TestContext.CancellationToken)).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "terraform"), TestContext.CancellationToken);
        }

        for (var i = 0; i < 3; i++)
        {
            await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", secret, "curious-script"), TestContext.CancellationToken);
        }

        for (var i = 0; i < 12; i++)
        {
            var other = await SampleServer.CreateTokenAsync(bob, new { type = "user", description = $"old token {i}" });
            if (i % 2 == 0)
            {
                await bob.PostAsync($"/api/tokens/{other.GetProperty("id").GetString()}/retire", null, TestContext.CancellationToken);
            }
        }

        var page = await Chromium.SignInAsync(s_browser!, server, "bob");
        var group = page.GetByTestId("retired-group");
        await Expect(group.Locator("> summary")).ToHaveTextAsync("Retired tokens (6)");
        Assert.IsFalse(await group.EvaluateAsync<bool>("g => g.open"), "retired tokens are collapsed");
        await Expect(page.Locator("#token-list > article.token")).ToHaveCountAsync(7);

        var card = page.GetByTestId("token").Filter(new() { HasText = "release pipeline" });
        await card.GetByTestId("usage").Locator("> summary").ClickAsync();
        var chart = card.GetByRole(AriaRole.Img);
        await Expect(chart).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("8 in all, by outcome: allowed 5, pending 3, denied 0, limited 0"));
        // The axes: requests from 0 to the busiest day, the first day, the middle and today (UTC).
        var requestsAxis = await chart.GetByTestId("usage-axis-requests").Locator("text").AllTextContentsAsync();
        Assert.AreEqual("0", requestsAxis[0]);
        StringAssert.Contains(await chart.GetAttributeAsync("aria-label"), $"the busiest day had {requestsAxis[^1]}.");
        var daysAxis = await chart.GetByTestId("usage-axis-days").Locator("text").AllTextContentsAsync();
        Assert.HasCount(3, daysAxis);
        Assert.AreEqual(DateTime.UtcNow.ToString("MMM d", System.Globalization.CultureInfo.GetCultureInfo("en-US")), daysAxis[^1], "today, last");
        var table = card.GetByTestId("usage-table");
        await Expect(table.Locator("caption")).ToContainTextAsync("8 in all");
        await Expect(table.Locator("tr.knocking")).ToContainTextAsync("curious-script");
        await Expect(table.Locator("tr.knocking")).ToContainTextAsync("keeps knocking while pending");
        await Expect(card.Locator("tr[data-app='terraform'] [data-testid=app-total]")).ToHaveTextAsync(" · 5 requests in 30 days");

        await page.GetByLabel("Filter tokens").FillAsync("curious-script");
        await Expect(page.Locator("article.token:visible")).ToHaveCountAsync(1);
        await page.GetByLabel("Filter tokens").FillAsync("retired");
        await Expect(page.Locator("#token-list > article.token:visible")).ToHaveCountAsync(0);
        await page.GetByLabel("Filter tokens").FillAsync("");

        await Chromium.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 844);
        Assert.IsFalse(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"), "no sideways scrolling at 390 px");
        await card.GetByTestId("usage").ScrollIntoViewIfNeededAsync();
        await Chromium.ShotAsync(TestContext, page, "usage-chart");
        var shot = System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots", "usage-chart-card.png");
        await card.GetByTestId("usage").ScreenshotAsync(new() { Path = shot });
        TestContext.AddResultFile(shot);
        await page.Context.CloseAsync();
    }
}
