using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// The API reference from the page: a member creates a token on the API Tokens page, follows the
// page's "API reference" link to Swagger UI, pastes the secret and an app name under "Authorize"
// and tries GET /v2/user/current: 200 with the member. Without the token the same try is a 401.
[TestClass]
[TestCategory("Browser")]
[TestCategory("OpenAPI")]
public sealed partial class ApiReferencePageTests
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
    public async Task PasteACreatedToken_TryGetCurrentUser_200()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await Chromium.SignInAsync(s_browser!, server, "bob");
        await page.ClickAsync("#new-token");
        await page.ClickAsync("#new-user-token");
        await page.FillAsync("#create-description", "tried in the reference");
        await page.ClickAsync("#create-submit");
        await Expect(page.GetByTestId("secret-panel")).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("secret-value").TextContentAsync())!;

        await page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(ReferenceUrl());
        var operation = page.Locator("#operations-Circonus-shaped_API-Circonus_GetCurrentUser");
        await Expect(operation).ToBeVisibleAsync(new() { Timeout = 15_000 });

        // Without a token: the try is refused.
        var (status, body) = await TryAsync(operation);
        Assert.AreEqual("401", status);
        StringAssert.Contains(body, "Unauthorized.BadToken");

        await page.Locator("button.authorize").First.ClickAsync();
        var dialog = page.Locator(".modal-ux");
        await AuthorizeAsync(dialog, "ApiTokens", secret);
        await AuthorizeAsync(dialog, "ApiTokens.AppName", "api-reference");
        await Chromium.ShotAsync(TestContext, page, "reference-01-authorized");
        await Chromium.AssertAccessibleAsync(page);
        await dialog.Locator("button.close-modal").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();

        (status, body) = await TryAsync(operation);
        Assert.AreEqual("200", status, body);
        StringAssert.Contains(body, "\"/user/bob\"");
        await Chromium.ShotAsync(TestContext, page, "reference-02-tried");
        await Chromium.AssertAccessibleAsync(page);

        // The app is now recorded under the token, as any client's would be (R10).
        await page.GotoAsync("/");
        await Expect(page.GetByTestId("token").Filter(new() { HasText = "tried in the reference" })).ToContainTextAsync("api-reference");
    }

    // Signed out, on a 390 px phone, with the keyboard only: the page's link leads to the reference,
    // which lists the API and meets WCAG 2.1 AA (axe-core).
    [TestMethod]
    public async Task TheLink_WorksByKeyboard_At390Px_AndTheReferenceIsAccessible()
    {
        await using var server = await SampleServer.StartAsync();
        var page = await Chromium.NewPageAsync(s_browser!, server, width: 390);
        await page.GotoAsync("/");
        var link = page.GetByRole(AriaRole.Link, new() { Name = "API reference" }).First;
        await Expect(link).ToBeVisibleAsync();
        for (var i = 0; i < 10 && !await link.EvaluateAsync<bool>("e => e === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(link).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(ReferenceUrl());
        await Expect(page.Locator("#operations-Circonus-shaped_API-Circonus_GetCurrentUser")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("button.authorize").First).ToBeVisibleAsync();
        await Chromium.ShotAsync(TestContext, page, "reference-03-390px");
        await Chromium.AssertAccessibleAsync(page);
    }

    // Swagger UI's "Execute" on an operation: the live response's status and body; then "Clear".
    private static async Task<(string Status, string Body)> TryAsync(ILocator operation)
    {
        if (!await operation.Locator("button.execute").IsVisibleAsync())
        {
            await operation.Locator(".opblock-summary").ClickAsync();
        }

        await operation.Locator("button.execute").ClickAsync();
        var status = operation.Locator(".live-responses-table .response .response-col_status").First;
        await Expect(status).ToHaveTextAsync(StatusPattern());
        var text = (await status.TextContentAsync())!.Trim();
        var body = (await operation.Locator(".live-responses-table .response .response-col_description").First.TextContentAsync())!;
        var clear = operation.Locator("button.btn-clear");
        if (await clear.IsVisibleAsync())
        {
            await clear.ClickAsync();
        }

        return (text[..3], body);
    }

    // One security scheme's form in Swagger UI's authorize dialog: its value, then its own Authorize button.
    private static async Task AuthorizeAsync(ILocator dialog, string scheme, string value)
    {
        var form = dialog.Locator(".auth-container").Filter(new() { Has = dialog.Page.Locator("h4 code", new() { HasTextRegex = new Regex("^" + Regex.Escape(scheme) + "$") }) });
        await form.Locator("input").FillAsync(value);
        await form.Locator("button.authorize").ClickAsync();
        await Expect(form.Locator("button", new() { HasText = "Logout" })).ToBeVisibleAsync();
    }

    [GeneratedRegex("/reference/")]
    private static partial Regex ReferenceUrl();

    [GeneratedRegex("^\\s*\\d{3}")]
    private static partial Regex StatusPattern();
}
