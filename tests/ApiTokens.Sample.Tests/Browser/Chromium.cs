using Microsoft.Playwright;

namespace ApiTokens.Sample.Tests.Browser;

// The browser the page tests drive: Chromium at /usr/bin/chromium, headless, and screenshots kept
// beside the test binaries and attached to the TRX results. A missing Chromium is a failure in CI
// (APITOKENS_REQUIRE_DEPENDENCIES=1) and an inconclusive result elsewhere.
internal static class Chromium
{
    public const string Path = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Path))
        {
            var message = $"Chromium is not installed at {Path}; install it with 'apt-get install -y chromium' to run the browser tests.";
            if (Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") == "1")
            {
                Assert.Fail(message);
            }

            Assert.Inconclusive(message);
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        return (playwright, browser);
    }

    // A fresh browser context (its own cookies) on the sample, at a viewport width.
    public static async Task<IPage> NewPageAsync(IBrowser browser, SampleServer server, int width = 1280)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    // Signs a demo member in through the sign-in page's member buttons; confirm() dialogs are accepted.
    public static async Task<IPage> SignInAsync(IBrowser browser, SampleServer server, string user, bool acceptDialogs = true)
    {
        var page = await NewPageAsync(browser, server);
        if (acceptDialogs)
        {
            page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        }

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Button, new() { Name = user, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("who-name")).ToContainTextAsync($"({user})");
        return page;
    }

    // WCAG 2.1 AA with axe-core: no serious or critical finding on the page as it is now. The WCAG 2.1
    // A/AA rules, not axe's default set; and label-content-name-mismatch (WCAG 2.5.3 Label in Name),
    // which axe still marks experimental and so leaves out unless asked.
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var results = await Deque.AxeCore.Playwright.PageExtensions.RunAxe(page, new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            Rules = new Dictionary<string, Deque.AxeCore.Commons.RuleOptions> { ["label-content-name-mismatch"] = new() { Enabled = true } },
        });
        var findings = results.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.IsEmpty(findings, string.Join("\n", findings.Select(v => $"{v.Impact} {v.Id}: {v.Help} — {string.Join(", ", v.Nodes.Select(n => string.Join(" ", n.Target)))}")));
    }

    public static async Task ShotAsync(TestContext test, IPage page, string name)
    {
        var directory = System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        test.AddResultFile(path);
    }
}
