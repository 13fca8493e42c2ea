using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace ApiTokens.Sample.Tests;

// What the tests that run the docs' own snippets need: the repository's files, and the programs on PATH.
internal static class Repository
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ApiTokens.sln")))
            {
                return directory.FullName;
            }
        }

        throw new AssertFailedException("The repository root (ApiTokens.sln) is not above " + AppContext.BaseDirectory);
    }

    public static string ReadDoc(string name) => File.ReadAllText(Path.Combine(Root(), "docs", name));

    public static bool OnPath(string command)
        => Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(p => File.Exists(Path.Combine(p, command)));

    // A missing program fails the test under .ci/run (APITOKENS_REQUIRE_DEPENDENCIES=1) and is reported
    // inconclusive elsewhere, as for PostgreSQL and Chromium.
    [DoesNotReturn]
    public static void RequireOrSkip(string message)
    {
        if (Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") == "1")
        {
            Assert.Fail(message);
        }

        Assert.Inconclusive(message);
        throw new UnreachableException();
    }
}
