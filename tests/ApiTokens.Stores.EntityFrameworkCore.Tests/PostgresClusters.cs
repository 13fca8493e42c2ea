namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// A throwaway cluster for a test class: missing server binaries are a failure in CI
// (APITOKENS_REQUIRE_DEPENDENCIES=1), where PostgresCluster.StartAsync says what to install, and an
// inconclusive result elsewhere. Kept apart from PostgresCluster, which the benchmarks share too.
internal static class PostgresClusters
{
    public static Task<PostgresCluster> StartForTestsAsync()
    {
        if (PostgresCluster.FindBinaries() is null && Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") != "1")
        {
            Assert.Inconclusive("PostgreSQL server binaries were not found; install PostgreSQL 15 (apt-get install -y postgresql) to run these tests.");
        }

        return PostgresCluster.StartAsync();
    }
}
