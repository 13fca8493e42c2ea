using System.Net.Http.Json;
using ApiTokens.AspNetCore.Tests.Webhooks;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ApiTokens.Sample.Tests.Browser;

// R37 on the page: an admin registers an endpoint with the keyboard, copies its secret (shown once),
// sends a test and sees it delivered; a disabled endpoint is marked; members who are not admins see
// no webhooks. Checked with axe-core, and at 390 px.
[TestClass]
[TestCategory("Browser")]
[TestCategory("R37")]
public sealed class WebhookPageTests
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
    public async Task AnAdmin_RegistersByKeyboard_SendsATest_AndSeesItDelivered_ADisabledEndpointIsMarked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await SampleServer.StartAsync(null, "--environment", "Development");
        var page = await Chromium.SignInAsync(s_browser!, server, "alice");
        var section = page.GetByRole(AriaRole.Region, new() { Name = "Webhooks" });
        await Expect(section).ToBeVisibleAsync();

        await section.GetByLabel("Endpoint URL").FillAsync(receiver.Url);
        await section.GetByLabel("Description").FillAsync("chat bridge");
        await section.GetByLabel("All events").PressAsync("Space");
        await section.GetByLabel("token.retired").CheckAsync();
        await section.GetByLabel("token.app_waiting").CheckAsync();
        await section.GetByLabel("Description").PressAsync("Enter");
        var secretPanel = page.GetByRole(AriaRole.Region, new() { Name = "Copy the signing secret now" });
        await Expect(secretPanel).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Copy the signing secret now" })).ToBeFocusedAsync();
        var secret = await page.GetByTestId("webhook-secret-value").TextContentAsync();
        StringAssert.StartsWith(secret, "whsec_");
        receiver.Secrets.Add(secret!);
        var endpoint = section.Locator("li.webhook").Filter(new() { HasText = receiver.Url });
        await Expect(endpoint).ToContainTextAsync("token.app_waiting, token.retired · chat bridge");
        await Expect(endpoint).ToContainTextAsync("Enabled");

        await endpoint.GetByRole(AriaRole.Button, new() { Name = $"Send test to {receiver.Url}" }).ClickAsync();
        var delivered = await receiver.NextAsync();
        Assert.HasCount(1, delivered.VerifiedBy, "the secret the page showed verifies the test event");
        await Expect(endpoint.GetByRole(AriaRole.Table, new() { Name = $"Last deliveries to {receiver.Url}" })).ToContainTextAsync("Delivered", new() { Timeout = 15_000 });
        await Expect(endpoint.GetByRole(AriaRole.Table)).ToContainTextAsync("webhook.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "I have saved it — hide" }).ClickAsync();
        await Expect(secretPanel).ToBeHiddenAsync();

        await endpoint.GetByRole(AriaRole.Button, new() { Name = $"Disable {receiver.Url}" }).ClickAsync();
        await Expect(endpoint.GetByTestId("webhook-disabled")).ToHaveTextAsync("Disabled");
        await Expect(endpoint.GetByRole(AriaRole.Button, new() { Name = $"Enable {receiver.Url}" })).ToBeVisibleAsync();

        await Chromium.AssertAccessibleAsync(page);
        await page.SetViewportSizeAsync(390, 844);
        Assert.IsFalse(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth"), "no sideways scrolling at 390 px");
        await Chromium.ShotAsync(TestContext, page, "webhooks-390px");
        await Chromium.AssertAccessibleAsync(page);

        await endpoint.GetByRole(AriaRole.Button, new() { Name = $"Delete {receiver.Url}" }).ClickAsync();
        await Expect(endpoint).ToHaveCountAsync(0);
        using var api = await server.SignInAsync("alice");
        Assert.AreEqual(0, (await api.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/webhooks", TestContext.CancellationToken)).GetArrayLength());
        await page.Context.CloseAsync();

        var bob = await Chromium.SignInAsync(s_browser!, server, "bob");
        await Expect(bob.GetByTestId("token-list")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("webhooks")).ToBeHiddenAsync();
        await bob.Context.CloseAsync();
    }
}
