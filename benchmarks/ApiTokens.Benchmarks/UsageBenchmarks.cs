using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Stores;
using ApiTokens.Validation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R35's cost on the hot path: the same cache hit through the real handler and on the validator
// alone, on two identical hosts, one counting usage (the default) and one not (CountUsage = false),
// in one run. Baselines repeated last for drift.
[Config(typeof(BenchConfig))]
public class UsageCountingBenchmarks
{
    private BenchHost _on = null!;
    private BenchHost _off = null!;
    private string _onSecret = null!;
    private string _offSecret = null!;
    private ApiTokenValidator _onValidator = null!;
    private ApiTokenValidator _offValidator = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _on = BenchHost.Create();
        _off = BenchHost.Create(configure: o => o.CountUsage = false);
        _onSecret = await _on.CreateTokenAsync();
        _offSecret = await _off.CreateTokenAsync();
        _onValidator = _on.Services.GetRequiredService<ApiTokenValidator>();
        _offValidator = _off.Services.GetRequiredService<ApiTokenValidator>();
        for (var i = 0; i < 3; i++)
        {
            await On();
            await Off();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _on.DisposeAsync();
        await _off.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Cache hit, counting off")]
    public Task<AuthenticateResult> Off() => _off.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _offSecret, BenchHost.AppName);

    [Benchmark(Description = "Cache hit, counting on")]
    public Task<AuthenticateResult> On() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, counting off")]
    public ValueTask<ApiTokenValidationResult> OffValidator() => _offValidator.ValidateAsync(_offSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, counting on")]
    public ValueTask<ApiTokenValidationResult> OnValidator() => _onValidator.ValidateAsync(_onSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, counting off (again, run last)")]
    public ValueTask<ApiTokenValidationResult> OffValidatorAgain() => OffValidator();

    [Benchmark(Description = "Cache hit, counting off (again, run last)")]
    public Task<AuthenticateResult> OffAgain() => Off();
}

// One usage flush of 10,000 (token, app) counters — 5,000 tokens × 2 apps — on PostgreSQL and
// SQLite, written as the recorder writes it: batches of 500 through RecordUsageAsync (one
// set-based statement per batch on PostgreSQL). Every invocation adds to the same rows (the
// steady state of a busy node: yesterday's rows exist, today's counts are added).
[Config(typeof(BenchConfig))]
public class UsageFlushBenchmarks
{
    private DatabaseBench _database = null!;
    private IApiTokenStore _store = null!;
    private List<ApiTokenUsageCount> _counts = null!;

    [Params("postgres", "sqlite")]
    public string Store { get; set; } = "postgres";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync(Store);
        var host = _database.Host;
        _store = host.Services.GetRequiredService<IApiTokenStore>();
        var ids = new List<string>();
        for (var i = 0; i < 5_000; i++)
        {
            await host.CreateTokenAsync();
        }

        ids.AddRange((await _store.ListAsync("acme", null, null, 1000, CancellationToken.None)).Select(t => t.Id));
        while (ids.Count < 5_000)
        {
            var page = await _store.ListAsync("acme", null, ApiTokenListPosition.Of((await _store.FindByIdAsync(ids[^1], CancellationToken.None))!), 1000, CancellationToken.None);
            ids.AddRange(page.Select(t => t.Id));
        }

        var day = new DateOnly(2026, 11, 28);
        _counts = [.. ids.SelectMany(id => new[] { new ApiTokenUsageCount(id, BenchHost.AppName, day, 40, 0, 0, 1), new ApiTokenUsageCount(id, "terraform", day, 7, 2, 1, 0) })];
        await Flush();
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark(Description = "One flush: 10,000 counters in batches of 500")]
    public async Task Flush()
    {
        for (var i = 0; i < _counts.Count; i += Recording.UseRecorder.BatchSize)
        {
            await ((IApiTokenUsageStore)_store).RecordUsageAsync(_counts.GetRange(i, Math.Min(Recording.UseRecorder.BatchSize, _counts.Count - i)), CancellationToken.None);
        }
    }
}
