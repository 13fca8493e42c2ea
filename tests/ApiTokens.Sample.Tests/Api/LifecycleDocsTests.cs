using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace ApiTokens.Sample.Tests.Api;

// R39 from outside, as docs/lifecycle.md says: its renewal script (bash, curl, jq) run against the
// sample with a token that may rotate itself and expires in 5 days. The script rotates it; the
// previous secret keeps working until the new one is used, then is refused.
[TestClass]
[TestCategory("R39")]
public sealed partial class LifecycleDocsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TheDocsRenewalScript_RotatesATokenDueWithinAWeek_AndThePreviousSecretEndsAtTheNewOnesFirstUse()
    {
        foreach (var tool in new[] { "bash", "curl", "jq" }.Where(t => !Repository.OnPath(t)))
        {
            Repository.RequireOrSkip($"{tool} is needed to run docs/lifecycle.md's renewal script ('apt-get install -y {tool}').");
        }

        await using var sample = await SampleServer.StartAsync();
        using var alice = await sample.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "user", description = "nightly job", lifetimeDays = 5, selfRotate = true, defaultAppState = "allow" });
        var oldSecret = token.GetProperty("secret").GetString()!;
        var directory = Directory.CreateTempSubdirectory("apitokens-renew-");
        try
        {
            var script = Path.Combine(directory.FullName, "renew-token.sh");
            var tokenFile = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(script, Script().Match(Repository.ReadDoc("lifecycle.md")).Groups[1].Value);
            await File.WriteAllTextAsync(tokenFile, oldSecret);

            var output = await RunAsync(script, sample.Address, tokenFile);

            StringAssert.Contains(output, "rotated; the token now expires");
            var newSecret = await File.ReadAllTextAsync(tokenFile);
            Assert.AreNotEqual(oldSecret, newSecret);
            using var api = sample.CreateClient();
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(sample.ApiRequest(HttpMethod.Get, "/api/tokens/self", oldSecret, "renew-token"), TestContext.CancellationToken)).StatusCode, "the previous secret, until the new one is used");
            Assert.AreEqual(HttpStatusCode.OK, (await api.SendAsync(sample.ApiRequest(HttpMethod.Get, "/api/tokens/self", newSecret, "renew-token"), TestContext.CancellationToken)).StatusCode);
            var waited = Stopwatch.StartNew();
            while ((await api.SendAsync(sample.ApiRequest(HttpMethod.Get, "/api/tokens/self", oldSecret, "renew-token"), TestContext.CancellationToken)).StatusCode != HttpStatusCode.Unauthorized)
            {
                Assert.IsLessThan(TimeSpan.FromSeconds(10), waited.Elapsed, "the previous secret did not end at the new one's first use");
                await Task.Delay(20, TestContext.CancellationToken);
            }

            StringAssert.Contains(await RunAsync(script, sample.Address, tokenFile, beforeDays: 3), "nothing to do", "5 days left again: not within 3");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private async Task<string> RunAsync(string script, Uri api, string tokenFile, int? beforeDays = null)
    {
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["API_URL"] = api.ToString().TrimEnd('/');
        start.Environment["TOKEN_FILE"] = tokenFile;
        if (beforeDays is { } days)
        {
            start.Environment["ROTATE_BEFORE_DAYS"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.CancellationToken);
        await process.WaitForExitAsync(TestContext.CancellationToken);
        Assert.AreEqual(0, process.ExitCode, output + error);
        return output;
    }

    [GeneratedRegex(@"<!-- run: bash -->\s*```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Script();
}
