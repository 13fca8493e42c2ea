using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R38: one lifecycle sweep over 1,000,000 tokens, on SQLite and PostgreSQL. 1 % of them (10,000)
// expire within the 30-day warning window; the rest expire in a year and were used yesterday, so the
// set-based query must not read them. "First sweep": the 10,000 warnings are raised (each a versioned
// update with its audit record and event; markers reset before each iteration). "Steady sweep": the
// sweep that runs every hour after that — it reads the same 10,000 candidates and raises nothing.
// The tokens are seeded with one INSERT … SELECT per store; a few iterations only (each is seconds).
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class LifecycleSweepBenchmarks
{
    private const int Tokens = 1_000_000;
    private const int Candidates = Tokens / 100;

    private DatabaseBench _database = null!;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync(Store);
        await using var context = await _database.Host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
        context.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await context.Database.ExecuteSqlRawAsync(Store == "postgres"
            ? $"""
              INSERT INTO api_tokens (id, type, account_id, created_by, created_at, privilege, default_app_state, secret_hash, secret_hint, version, self_rotate, expires_at, last_used_at)
              SELECT 'sweep' || lpad(i::text, 10, '0'), 1, 'acme', 'alice', now() - interval '30 days', 1, 0,
                     decode(md5(i::text) || md5((i + {Tokens})::text), 'hex'), 'apt_****', 1, false,
                     CASE WHEN i <= {Candidates} THEN now() + interval '20 days' ELSE now() + interval '365 days' END,
                     now() - interval '1 day'
              FROM generate_series(1, {Tokens}) AS i
              """
            : $"""
              WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Tokens})
              INSERT INTO api_tokens (id, type, account_id, created_by, created_at, privilege, default_app_state, secret_hash, secret_hint, version, self_rotate, expires_at, last_used_at)
              SELECT 'sweep' || printf('%010d', i), 1, 'acme', 'alice', strftime('%Y-%m-%d %H:%M:%S', 'now', '-30 days') || '+00:00', 1, 0,
                     randomblob(32), 'apt_****', 1, 0,
                     CASE WHEN i <= {Candidates} THEN strftime('%Y-%m-%d %H:%M:%S', 'now', '+20 days') ELSE strftime('%Y-%m-%d %H:%M:%S', 'now', '+365 days') END || '+00:00',
                     strftime('%Y-%m-%d %H:%M:%S', 'now', '-1 days') || '+00:00'
              FROM n
              """);
        if (await SweepAsync() != Candidates || await SweepAsync() != 0)
        {
            throw new InvalidOperationException("Benchmark setup is wrong: the first sweep should warn every candidate once.");
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [IterationSetup(Target = nameof(FirstSweep))]
    public void ResetMarkers()
    {
        using var context = _database.Host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContext();
        context.Database.ExecuteSqlRaw("UPDATE api_tokens SET expiry_warned_for = NULL, expiry_warned_threshold = NULL WHERE expiry_warned_for IS NOT NULL");
    }

    [Benchmark(Description = "First sweep: 10,000 of 1,000,000 tokens warned")]
    public Task<int> FirstSweep() => SweepAsync();

    [Benchmark(Baseline = true, Description = "Steady sweep: 10,000 candidates read, nothing raised")]
    public Task<int> SteadySweep() => SweepAsync();

    private async Task<int> SweepAsync()
    {
        await using var scope = _database.Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().SweepLifecycleAsync(CancellationToken.None);
    }
}
