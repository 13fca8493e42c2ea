using ApiTokens.Stores;
using ApiTokens.Stores.EntityFrameworkCore;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// One last-use flush (R22) of 1,000 or 10,000 (token, app) pairs — tokens × 3 apps — in the
// recorder's batches of 500, on SQLite and PostgreSQL: the shape each store writes now
// (RecordUsesAsync: SQLite two statements over one JSON parameter, PostgreSQL two over arrays) against
// a statement per use and per token (SQLite's first shape) and a VALUES list of parameters (its second). Each invocation moves the times forward, so
// every row is really written. Bytes and time per flush; divide by the pairs for per-pair figures.
[Config(typeof(BenchConfig))]
public class FlushBenchmarks
{
    private static readonly string[] s_apps = ["benchmark-app", "cosi", "terraform"];

    private DatabaseBench _database = null!;
    private IApiTokenStore _store = null!;
    private IDbContextFactory<BenchDbContext> _contexts = null!;
    private readonly List<(string TokenId, string AppName)> _pairs = [];
    private DateTimeOffset _at = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [Params(1_000, 10_000)]
    public int Pairs { get; set; } = 1_000;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync(Store);
        _store = _database.Host.Services.GetRequiredService<IApiTokenStore>();
        _contexts = _database.Host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>();
        for (var i = 0; _pairs.Count < Pairs; i++)
        {
            var token = (await _store.TryCreateAsync(
                new ApiToken
                {
                    Id = $"flush{i:D10}",
                    Type = TokenType.Account,
                    AccountId = "acme",
                    CreatedBy = "alice",
                    CreatedAt = _at,
                    Privilege = TokenPrivilege.Normal,
                    DefaultAppState = AppState.Allow,
                    SecretHash = System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)),
                    SecretHint = "apt_****",
                },
                int.MaxValue,
                null,
                CancellationToken.None))!;
            foreach (var app in s_apps)
            {
                await _store.RecordAppAsync(token.Id, new TokenApp(app, AppState.Allow, _at), 1000, null, CancellationToken.None);
                _pairs.Add((token.Id, app));
            }
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark(Baseline = true, Description = "a statement per use and per token (SQLite before)")]
    public Task<int> StatementPerUse() => WriteAsync(static (sql, batch) => sql.Uses(batch));

    [Benchmark(Description = "a VALUES list of parameters (SQLite's shape before JSON)")]
    public Task<int> ValuesList() => WriteAsync(static (sql, batch) => sql.UsesAsValues(batch));

    [Benchmark(Description = "RecordUsesAsync (after: one JSON parameter on SQLite, arrays on PostgreSQL)")]
    public async Task RecordUses()
    {
        foreach (var batch in Batches())
        {
            await _store.RecordUsesAsync(batch, CancellationToken.None);
        }
    }

    // An earlier SQLite shape, written batch by batch in a transaction as the store wrote it.
    private async Task<int> WriteAsync(Func<AppSql, List<ApiTokenUse>, (string Command, object[] Parameters)> shape)
    {
        var rows = 0;
        foreach (var batch in Batches())
        {
            await using var context = await _contexts.CreateDbContextAsync();
            var (command, parameters) = shape(AppSql.For(context), batch);
            await using var transaction = await context.Database.BeginTransactionAsync();
            rows += await context.Database.ExecuteSqlRawAsync(command, parameters);
            await transaction.CommitAsync();
        }

        return rows;
    }

    private IEnumerable<List<ApiTokenUse>> Batches()
    {
        _at = _at.AddSeconds(1);
        return _pairs.Chunk(Recording.UseRecorder.BatchSize).Select(chunk => chunk.Select(p => new ApiTokenUse(p.TokenId, p.AppName, _at)).ToList());
    }
}
