using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// on the page: the lifetime chooser, expiry and last use on each card, expired tokens
// marked, and Rotate with its grace chooser showing the new secret once.
[TestClass]
[TestCategory("Browser")]
public sealed class TokenLifecyclePageTests
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
    [TestCategory("R21")]
    public async Task LifetimeChooser_OffersOnlyWhatTheMaximumAllows_AndTheCardShowsTheExpiry()
    {
        await using var server = await SampleServer.StartAsync(null, "--ApiTokens:MaxLifetime=30.00:00:00");
        var page = await SignInAsync(server, "bob");
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");

        var values = await page.Locator("#create-lifetime option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        CollectionAssert.AreEqual(new[] { "7", "30", "date" }, values, "90 days and never are beyond MaxLifetime");
        await Expect(page.Locator("#create-expires-date")).ToBeHiddenAsync();
        await page.SelectOptionAsync("#create-lifetime", "date");
        await Expect(page.Locator("#create-expires-date")).ToBeVisibleAsync();
        await page.SelectOptionAsync("#create-lifetime", "7");
        await page.FillAsync("#create-description", "one week");
        await ShotAsync(page, "issue10-lifetime-chooser");
        await page.ClickAsync("#create-submit");
        await page.ClickAsync("#dismiss-secret");

        using var bob = await server.SignInAsync("bob");
        var token = (await bob.GetFromJsonAsync<JsonElement[]>("/api/tokens", TestContext.CancellationToken))!.Single();
        var days = (token.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow).TotalDays;
        Assert.IsTrue(days is > 6.9 and <= 7, $"expires in {days} days");
        var card = page.Locator($"[data-token-id='{token.GetProperty("id").GetString()}']");
        await Expect(card.GetByTestId("expires")).Not.ToHaveTextAsync("never");
        await Expect(card.GetByTestId("last-used")).ToHaveTextAsync("never");
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task NeverIsOffered_WithoutAMaximum_AndAnExpiredTokenIsMarked_AndCanOnlyBeRetired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SampleServer.StartAsync(b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        using var bob = await server.SignInAsync("bob");
        await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "short-lived", expiresAt = time.GetUtcNow().AddHours(1) });
        var page = await SignInAsync(server, "bob");
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await Expect(page.Locator("#create-lifetime option[value=never]")).ToHaveCountAsync(1);
        await page.ClickAsync("#create-cancel");
        var card = page.Locator("[data-testid=token]").Filter(new() { HasText = "short-lived" });
        await Expect(card.GetByTestId("expired-badge")).ToHaveCountAsync(0);
        await Expect(card.Locator("[data-action=rotate]")).ToBeVisibleAsync();

        time.Advance(TimeSpan.FromHours(1));
        await page.ClickAsync("#refresh");

        await Expect(card.GetByTestId("expired-badge")).ToHaveTextAsync("Expired");
        await Expect(card.Locator("[data-action=rotate]")).ToHaveCountAsync(0);
        await Expect(card.Locator("select[data-field=privilege]")).ToBeDisabledAsync();
        await Expect(card.Locator("[data-action=retire]")).ToBeEnabledAsync();
        await ShotAsync(page, "issue10-expired-token");
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task Rotate_WithAGraceChooser_ShowsTheNewSecretOnce_NamingItsToken_AndBothSecretsWork()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "nightly export" });
        var oldSecret = created.GetProperty("secret").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "exporter"), TestContext.CancellationToken)).StatusCode);
        var page = await SignInAsync(server, "bob");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate token “nightly export”" }).ClickAsync();
        var graces = await page.Locator("#rotate-grace option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)");
        CollectionAssert.AreEqual(new[] { "0", "3600", "86400", "604800" }, graces);
        await Expect(page.Locator("#rotate-grace")).ToHaveValueAsync("3600");
        await page.SelectOptionAsync("#rotate-grace", "86400");
        await ShotAsync(page, "issue10-rotate-dialog");
        await page.ClickAsync("#rotate-submit");

        await Expect(page.GetByTestId("secret-panel")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("secret-token")).ToContainTextAsync("nightly export");
        await Expect(page.GetByTestId("secret-token")).ToContainTextAsync(id);
        await Expect(page.GetByTestId("secret-rotated")).ToContainTextAsync("previous secret keeps working until");
        var newSecret = await page.GetByTestId("secret-value").TextContentAsync();
        Assert.IsFalse(string.IsNullOrEmpty(newSecret));
        Assert.AreNotEqual(oldSecret, newSecret);
        await ShotAsync(page, "issue10-rotated-secret");

        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", newSecret!, "exporter"), TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", oldSecret, "exporter"), TestContext.CancellationToken)).StatusCode);
        var card = page.Locator($"[data-token-id='{id}']");
        await Expect(card).ToContainTextAsync("the previous secret works until");
        await page.ClickAsync("#dismiss-secret");
        await Expect(page.GetByTestId("secret-value")).ToBeEmptyAsync();
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task LastUse_ShowsOnTheCardAndEachApp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await SampleServer.StartAsync(b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)), "--ApiTokens:LastUsedGranularity=00:00:01");
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "used one" });
        using var api = server.CreateClient();
        Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(server.ApiRequest(HttpMethod.Get, "/v2/user/current", created.GetProperty("secret").GetString()!, "grafana"), TestContext.CancellationToken)).StatusCode);
        time.Advance(TimeSpan.FromSeconds(1));

        var page = await SignInAsync(server, "bob");
        var card = page.Locator("[data-testid=token]").Filter(new() { HasText = "used one" });

        // The flush runs on the thread pool once the fake clock fires; the page polls every 5 s.
        await Expect(card.GetByTestId("last-used")).Not.ToHaveTextAsync("never", new() { Timeout = 15_000 });
        await Expect(card.Locator("tr[data-app='grafana']").GetByTestId("app-last-used")).ToContainTextAsync("last used");
        await ShotAsync(page, "issue10-last-used");
    }

    [TestMethod]
    [TestCategory("R24")]
    public async Task History_ShowsTheTokensAuditTrail_NewestFirst()
    {
        await using var server = await SampleServer.StartAsync();
        using var bob = await server.SignInAsync("bob");
        var created = await SampleServer.CreateTokenAsync(bob, new { type = "user", description = "audited" });
        var id = created.GetProperty("id").GetString()!;
        await bob.PatchAsJsonAsync($"/api/tokens/{id}", new { privilege = "normal" }, TestContext.CancellationToken);
        var page = await SignInAsync(server, "bob");

        await page.GetByText("History").ClickAsync();

        var items = page.Locator($"[data-token-id='{id}'] [data-testid=history-list] li");
        await Expect(items).ToHaveCountAsync(2);
        await Expect(items.Nth(0)).ToContainTextAsync("bob changed the token");
        await Expect(items.Nth(0)).ToContainTextAsync("privilege: readOnly → normal");
        await Expect(items.Nth(1)).ToContainTextAsync("bob created the token");
        await ShotAsync(page, "issue11-history");
    }

    private static Task<IPage> SignInAsync(SampleServer server, string user) => Chromium.SignInAsync(s_browser!, server, user);

    private Task ShotAsync(IPage page, string name) => Chromium.ShotAsync(TestContext, page, name);
}
