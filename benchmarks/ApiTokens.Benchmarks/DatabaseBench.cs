using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// A benchmark host on the EF store with its schema created: SQLite in a temporary file, or
// PostgreSQL in a throwaway local cluster (the same fixture as the tests). Shared by the database
// benchmarks (DatabaseMissBenchmarks, ReloadBenchmarks).
internal sealed class DatabaseBench : IAsyncDisposable
{
    private readonly PostgresCluster? _cluster;
    private readonly string? _sqliteFile;

    private DatabaseBench(BenchHost host, PostgresCluster? cluster, string? sqliteFile)
    {
        Host = host;
        _cluster = cluster;
        _sqliteFile = sqliteFile;
    }

    public BenchHost Host { get; }

    // store: "sqlite" or "postgres".
    public static async Task<DatabaseBench> StartAsync(string store)
    {
        PostgresCluster? cluster = null;
        string? sqliteFile = null;
        BenchHost host;
        if (store == "postgres")
        {
            cluster = await PostgresCluster.StartAsync();
            var connection = cluster.ConnectionString("postgres");
            host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseNpgsql(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); });
        }
        else
        {
            sqliteFile = Path.Combine(Path.GetTempPath(), $"apitokens-bench-{Guid.NewGuid():N}.db");
            var connection = $"Data Source={sqliteFile}";
            host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseSqlite(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); });
        }

        await using (var context = await host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync())
        {
            await context.Database.EnsureCreatedAsync();
        }

        return new DatabaseBench(host, cluster, sqliteFile);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(_sqliteFile);
        }
    }
}
