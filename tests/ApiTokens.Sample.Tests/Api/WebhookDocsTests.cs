using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ApiTokens.Sample.Tests.Api;

// docs/webhooks.md's Node receiver, as the page shows it, run with the reference `standardwebhooks`
// npm package against the sample: it verifies a real delivery and refuses a forged one. Node and
// npm come from the machine (.ci/run installs them); the package is installed here on first use.
[TestClass]
[TestCategory("R37")]
public sealed partial class WebhookDocsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TheDocsNodeReceiver_VerifiesTheSamplesDelivery_AndRefusesAForgery()
    {
        var directory = await NodeReceiverDirectoryAsync();
        await using var sample = await SampleServer.StartAsync(null, "--environment", "Development");
        using var alice = await sample.SignInAsync("alice");
        var port = FreePort();
        var registered = await alice.PostAsJsonAsync("/api/webhooks", new { url = $"http://127.0.0.1:{port}/", events = new[] { "token.created" } }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, registered.StatusCode);
        var secret = (await registered.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken)).GetProperty("secret").GetString()!;

        var start = new ProcessStartInfo("node", "receiver.mjs") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["WEBHOOK_SECRET"] = secret;
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var node = Process.Start(start)!;
        var lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
        node.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Writer.TryWrite(e.Data); } };
        node.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lines.Writer.TryWrite("stderr: " + e.Data); } };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            Assert.AreEqual("listening", await NextLineAsync(lines));
            using var forged = new HttpClient();
            using var forgery = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/") { Content = new StringContent("""{"type":"token.created"}""") };
            forgery.Headers.Add("webhook-id", "msg_forged");
            forgery.Headers.Add("webhook-timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            forgery.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(new byte[32]));
            Assert.AreEqual(HttpStatusCode.BadRequest, (await forged.SendAsync(forgery, TestContext.CancellationToken)).StatusCode, "a forged signature is refused");

            await SampleServer.CreateTokenAsync(alice, new { type = "user" });
            var line = await NextLineAsync(lines);

            StringAssert.StartsWith(line, "verified token.created ");
            var webhook = (await alice.GetFromJsonAsync<JsonElement>("/api/webhooks", TestContext.CancellationToken))[0].GetProperty("id").GetString();
            var deliveries = await alice.GetFromJsonAsync<JsonElement>($"/api/webhooks/{webhook}/deliveries", TestContext.CancellationToken);
            Assert.AreEqual(deliveries[0].GetProperty("id").GetString(), line["verified token.created ".Length..], "the webhook-id the receiver saw");
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync(TestContext.CancellationToken);
        }
    }

    private async Task<string> NextLineAsync(System.Threading.Channels.Channel<string> lines)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await lines.Reader.ReadAsync(timeout.Token);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // A directory with the docs' receiver.mjs and the package it imports (npm install, once).
    private async Task<string> NodeReceiverDirectoryAsync()
    {
        if (!Repository.OnPath("node") || !Repository.OnPath("npm"))
        {
            Repository.RequireOrSkip("node and npm are needed to run docs/webhooks.md's Node receiver ('apt-get install -y nodejs npm').");
        }

        var docs = Repository.ReadDoc("webhooks.md");
        var snippet = NodeSnippet().Match(docs);
        Assert.IsTrue(snippet.Success, "docs/webhooks.md has a Node receiver marked <!-- run: node -->");
        var version = NodePackageVersion().Match(docs);
        Assert.IsTrue(version.Success, "docs/webhooks.md names the standardwebhooks npm version");
        var directory = Path.Combine(AppContext.BaseDirectory, "node-receiver");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "receiver.mjs"), snippet.Groups[1].Value, TestContext.CancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(directory, "package.json"),
            $$"""{ "name": "apitokens-docs-receiver", "private": true, "type": "module", "dependencies": { "standardwebhooks": "{{version.Groups[1].Value}}" } }""",
            TestContext.CancellationToken);
        if (!Directory.Exists(Path.Combine(directory, "node_modules", "standardwebhooks")))
        {
            var install = Process.Start(new ProcessStartInfo("npm", "install --no-audit --no-fund --loglevel=error") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = await install.StandardError.ReadToEndAsync(TestContext.CancellationToken);
            await install.WaitForExitAsync(TestContext.CancellationToken);
            Assert.AreEqual(0, install.ExitCode, "npm install standardwebhooks failed: " + output);
        }

        return directory;
    }

    [GeneratedRegex(@"<!-- run: node -->\s*```js\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NodeSnippet();

    [GeneratedRegex(@"standardwebhooks`\]\(https://www\.npmjs\.com/package/standardwebhooks\)\s*package \((\d+\.\d+\.\d+)\)")]
    private static partial Regex NodePackageVersion();
}
