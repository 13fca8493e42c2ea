using Microsoft.EntityFrameworkCore;
using Npgsql;

[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// One PostgreSQL cluster for the whole test assembly; each test class gets its own database.
[TestClass]
public static class Databases
{
    private static PostgresCluster? s_cluster;
    private static string? s_missing;
    private static int s_nextDatabase;

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext _)
    {
        try
        {
            s_cluster = await PostgresCluster.StartAsync();
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") != "1")
        {
            s_missing = ex.Message;
        }
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (s_cluster is not null)
        {
            await s_cluster.DisposeAsync();
        }
    }

    // A fresh database with the ApiTokens schema; reports clearly when PostgreSQL is missing.
    public static async Task<string> NewPostgresDatabaseAsync()
    {
        if (s_cluster is null)
        {
            Assert.Inconclusive("PostgreSQL is not available, so the PostgreSQL tests did not run: " + s_missing);
        }

        var name = "apitokens_" + Interlocked.Increment(ref s_nextDatabase) + "_" + Environment.ProcessId;
        await using (var connection = new NpgsqlConnection(s_cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = s_cluster.ConnectionString(name);
        await using var context = new TestDbContext(Postgres(connectionString));
        await context.Database.EnsureCreatedAsync();
        return connectionString;
    }

    public static async Task<string> NewSqliteDatabaseAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"apitokens-{Guid.NewGuid():N}.db");
        var connectionString = $"Data Source={path};Default Timeout=60;Pooling=True";
        await using var context = new TestDbContext(Sqlite(connectionString));
        await context.Database.EnsureCreatedAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        return connectionString;
    }

    public static DbContextOptions<TestDbContext> Postgres(string connectionString)
        => new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(connectionString).Options;

    public static DbContextOptions<TestDbContext> Sqlite(string connectionString)
        => new DbContextOptionsBuilder<TestDbContext>().UseSqlite(connectionString).Options;
}

public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseApiTokens();
}

internal sealed class OptionsFactory(DbContextOptions<TestDbContext> options) : IDbContextFactory<TestDbContext>
{
    public TestDbContext CreateDbContext() => new(options);
}
