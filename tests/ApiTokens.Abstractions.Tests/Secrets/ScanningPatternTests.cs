using System.Text.RegularExpressions;

namespace ApiTokens.Tests.Secrets;

// docs/secret-scanning.md: the expression scanners use finds every generated secret, and with the
// checksum refuses near misses; the rule files ship the same expression.
[TestClass]
[TestCategory("R31")]
public sealed class ScanningPatternTests
{
    private const string Documented = @"\bapt_[0-9A-Za-z]{43}[0-4][0-9A-Za-z]{5}\b";

    [TestMethod]
    public void TheExpression_MatchesTenThousandGeneratedSecrets_WholeAndInText()
    {
        using var h = Harness.Create();
        var pattern = new Regex(h.Secrets.ScanningPattern, RegexOptions.CultureInvariant);

        Assert.AreEqual(Documented, h.Secrets.ScanningPattern, "docs/secret-scanning.md shows the same expression");
        for (var i = 0; i < 10_000; i++)
        {
            var secret = h.Secrets.Generate();
            var match = pattern.Match($"export API_TOKEN=\"{secret}\" # do not commit");
            Assert.IsTrue(match.Success && match.Value == secret, secret);
        }
    }

    [TestMethod]
    public void NearMisses_AreRefused_ByTheExpressionOrTheChecksum()
    {
        using var h = Harness.Create();
        var pattern = new Regex($"^(?:{h.Secrets.ScanningPattern})$", RegexOptions.CultureInvariant);
        const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var checksumFirstOutOfRange = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var secret = h.Secrets.Generate();
            var digit = secret[^1];
            var wrongChecksum = secret[..^1] + Alphabet[(Alphabet.IndexOf(digit, StringComparison.Ordinal) + 1) % 62];
            var outOfRange = secret[..^6] + "5" + secret[^5..];
            string[] misses = [secret[..^1], secret + "a", "apx" + secret[3..], "APT" + secret[3..], "apt-" + secret[4..], secret[..20] + "!" + secret[21..]];

            foreach (var miss in misses)
            {
                Assert.IsFalse(pattern.IsMatch(miss), miss);
            }

            Assert.IsFalse(pattern.IsMatch(outOfRange) && h.Secrets.IsWellFormed(outOfRange), outOfRange);
            checksumFirstOutOfRange += pattern.IsMatch(outOfRange) ? 0 : 1;
            Assert.IsFalse(pattern.IsMatch(wrongChecksum) && h.Secrets.IsWellFormed(wrongChecksum), "a wrong checksum is refused: " + wrongChecksum);
            Assert.IsTrue(h.Secrets.IsWellFormed(secret));
        }

        Assert.AreEqual(2_000, checksumFirstOutOfRange, "a checksum that starts above 4 is refused by the expression alone");
    }

    [TestMethod]
    [DataRow("docs/scanning/gitleaks.toml")]
    [DataRow("docs/scanning/trufflehog.yaml")]
    [DataRow("docs/secret-scanning.md")]
    public void TheRuleFiles_ShipTheSameExpression(string path)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), path));

        Assert.Contains(Documented, text);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ApiTokens.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (ApiTokens.sln) was not found above " + AppContext.BaseDirectory);
    }
}
