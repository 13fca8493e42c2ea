namespace ApiTokens.Sample.Tests.Api;

// R43 from outside: the sample started as an operator would, with a typo or an ill-formed value in
// its settings (command line, environment variables), stops at once and says what is wrong, instead
// of starting with the setting ignored.
[TestClass]
public sealed class ConfigurationErrorTests
{
    public static IEnumerable<object[]> Cases =>
    [
        [new[] { "--ApiTokens:CacheLifetme=00:00:10" }, "", "", "ApiTokens:CacheLifetme is not a setting of ApiTokens; did you mean ApiTokens:CacheLifetime?"],
        [Array.Empty<string>(), "ApiTokens__Bootstrap__Privlege", "Admin", "ApiTokens:Bootstrap:Privlege is not a setting of ApiTokens:Bootstrap; did you mean ApiTokens:Bootstrap:Privilege?"],
        [new[] { "--ApiTokens:CacheLifetime=30" }, "", "", "CacheLifetime is 30.00:00:00 (30 days); it must be between 00:00:00 and 01:00:00, e.g. 00:00:30"],
        [new[] { "--ApiTokens:DefaultAppState=Pendng" }, "", "", "ApiTokens:DefaultAppState is 'Pendng', which is not one of Allow, Pending, Deny."],
        [Array.Empty<string>(), "ApiTokens__Bootstrap__Secret", "", "ApiTokens:Bootstrap:Secret is empty"],
    ];

    [TestMethod]
    [TestCategory("R43")]
    [DynamicData(nameof(Cases))]
    public async Task TheSample_StopsAtStart_SayingWhatIsWrong(string[] args, string variable, string value, string message)
    {
        var directory = Directory.CreateTempSubdirectory("apitokens-config-");
        try
        {
            var environment = new Dictionary<string, string>();
            if (variable.Length > 0)
            {
                environment[variable] = value;
                environment["ApiTokens__Bootstrap__AccountId"] = "acme";
                if (variable != "ApiTokens__Bootstrap__Secret")
                {
                    environment["ApiTokens__Bootstrap__Secret"] = "bootstrap-0123456789abcdef";
                }
            }

            var (exitCode, output) = await SampleProcess.RunToExitAsync(
                directory.FullName,
                environment,
                ["--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")}", .. args]);

            Assert.AreNotEqual(0, exitCode, output);
            Assert.Contains(message, output);
            Assert.DoesNotContain("running on", output, "it never served");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
