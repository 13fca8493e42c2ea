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

    // store: "sqlite" or "postgres". coreOnly: the EF store seen through its core contract alone (no
    // capability registered), as a store without them would be.
    public static async Task<DatabaseBench> StartAsync(string store, bool coreOnly = false)
    {
        PostgresCluster? cluster = null;
        string? sqliteFile = null;
        BenchHost host;
        if (store == "postgres")
        {
            cluster = await PostgresCluster.StartAsync();
            var connection = cluster.ConnectionString("postgres");
            host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseNpgsql(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); CoreOnly(b, coreOnly); });
        }
        else
        {
            sqliteFile = Path.Combine(Path.GetTempPath(), $"apitokens-bench-{Guid.NewGuid():N}.db");
            var connection = $"Data Source={sqliteFile}";
            host = BenchHost.Create(b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseSqlite(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); CoreOnly(b, coreOnly); });
        }

        await using (var context = await host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync())
        {
            await context.Database.EnsureCreatedAsync();
        }

        return new DatabaseBench(host, cluster, sqliteFile);
    }

    private static void CoreOnly(ApiTokensBuilder builder, bool coreOnly)
    {
        if (coreOnly)
        {
            builder.AddStore<CoreOnlyStore>();
        }
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

// The core contract of the EF store and nothing more.
internal sealed class CoreOnlyStore(ApiTokens.Stores.EntityFrameworkCore.EntityFrameworkCoreApiTokenStore<BenchDbContext> inner) : ApiTokens.Stores.IApiTokenStore
{
    public Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, Auditing.ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.TryCreateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken> UpdateAsync(ApiToken token, Auditing.ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.UpdateAsync(token, audit, cancellationToken);

    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, Auditing.ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.TryUpdateAsync(token, maxActive, audit, cancellationToken);

    public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken) => inner.FindByIdAsync(tokenId, cancellationToken);

    public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken) => inner.FindBySecretHashAsync(secretHash, includeRetired, cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokens.Stores.ApiTokenListPosition? after, int limit, CancellationToken cancellationToken) => inner.ListAsync(accountId, ownerId, after, limit, cancellationToken);

    public Task<ApiTokens.Stores.ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, Auditing.ApiTokenAuditRecord? audit, CancellationToken cancellationToken) => inner.RecordAppAsync(tokenId, app, maxApps, audit, cancellationToken);

    public Task AppendAuditAsync(Auditing.ApiTokenAuditRecord record, CancellationToken cancellationToken) => inner.AppendAuditAsync(record, cancellationToken);

    public Task RecordUsesAsync(IReadOnlyList<ApiTokens.Stores.ApiTokenUse> uses, CancellationToken cancellationToken) => inner.RecordUsesAsync(uses, cancellationToken);
}
