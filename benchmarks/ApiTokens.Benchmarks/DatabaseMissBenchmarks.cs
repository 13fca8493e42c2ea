using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// Cache-miss validation on the database stores: every authentication reads the token (and its apps)
// by secret hash. PostgreSQL runs in a throwaway local cluster started for the run.
[Config(typeof(BenchConfig))]
public class DatabaseMissBenchmarks
{
    private BenchHost _host = null!;
    private PostgresCluster? _cluster;
    private string _secret = null!;
    private string? _sqliteFile;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        string connection;
        if (Store == "postgres")
        {
            _cluster = await PostgresCluster.StartAsync();
            connection = _cluster.ConnectionString("postgres");
            _host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseNpgsql(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); });
        }
        else
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"apitokens-bench-{Guid.NewGuid():N}.db");
            connection = $"Data Source={_sqliteFile}";
            _host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseSqlite(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); });
        }

        await using (var context = await _host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync())
        {
            await context.Database.EnsureCreatedAsync();
        }

        for (var i = 0; i < 1000; i++)
        {
            await _host.CreateTokenAsync();
        }

        _secret = await _host.CreateTokenAsync();
        await Miss();
        if (!(await Miss()).Succeeded)
        {
            throw new InvalidOperationException("setup failed");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.DisposeAsync();
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

    [Benchmark(Description = "cache miss on a database store")]
    public Task<AuthenticateResult> Miss()
        => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);
}

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseApiTokens();
}
