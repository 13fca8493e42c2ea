using ApiTokens.Secrets;
using ApiTokens.Stores;
using ApiTokens.Stores.EntityFrameworkCore;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// one batch of the last-use flush (R22) on PostgreSQL — 500 uses (the recorder's batch
// size) of 167 tokens × 3 apps among 1,100 tokens — written as the statement per use and per token
// it used to be, against RecordUsesAsync's two set-based statements over arrays. Every invocation
// moves the times forward, so each one really writes (the statements only ever move a time forward).
[Config(typeof(BenchConfig))]
public class LastUseFlushBenchmarks
{
    private static readonly string[] s_apps = [BenchHost.AppName, "cosi", "terraform"];

    private DatabaseBench _database = null!;
    private IApiTokenStore _store = null!;
    private IDbContextFactory<BenchDbContext> _contexts = null!;
    private List<(string TokenId, string AppName)> _pairs = null!;
    private DateTimeOffset _at = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync("postgres");
        var host = _database.Host;
        _store = host.Services.GetRequiredService<IApiTokenStore>();
        _contexts = host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>();
        _pairs = [];
        for (var i = 0; i < 1100; i++)
        {
            var secret = await host.CreateTokenAsync();
            if (i % 6 != 0 || _pairs.Count >= Recording.UseRecorder.BatchSize)
            {
                continue;
            }

            var token = (await _store.FindBySecretHashAsync(ApiTokenSecretCodec.Hash(secret), includeRetired: false, CancellationToken.None))!;
            foreach (var app in s_apps)
            {
                await host.AuthenticateAsync(BenchHost.ApiTokensNoCache, AspNetCore.Authentication.ApiTokenAuthenticationDefaults.TokenHeaderName, secret, app);
                _pairs.Add((token.Id, app));
            }
        }

        _pairs = _pairs[..Recording.UseRecorder.BatchSize];
        if (await StatementPerUse() != _pairs.Count + _pairs.Select(p => p.TokenId).Distinct().Count())
        {
            throw new InvalidOperationException("setup failed: every use should update its app and token");
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark(Baseline = true, Description = "500 uses, a statement per use and per token (before)")]
    public async Task<int> StatementPerUse()
    {
        var uses = NextUses();
        await using var context = await _contexts.CreateDbContextAsync();
        var (command, parameters) = AppSql.For(context).Uses(uses);
        return await context.Database.ExecuteSqlRawAsync(command, parameters);
    }

    [Benchmark(Description = "500 uses, two set-based statements (RecordUsesAsync)")]
    public async Task SetBased() => await _store.RecordUsesAsync(NextUses(), CancellationToken.None);

    private List<ApiTokenUse> NextUses()
    {
        _at = _at.AddSeconds(1);
        return [.. _pairs.Select(p => new ApiTokenUse(p.TokenId, p.AppName, _at))];
    }
}
