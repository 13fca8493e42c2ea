using System.Collections.Immutable;
using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.AspNetCore.Authentication;

namespace ApiTokens.Benchmarks;

// Cache hit and miss with 1,000 / 100,000 / 1,000,000 tokens in the store. Up to 100,000 of them
// (the default cache size) are cached; each operation presents the next of 1,024 warmed tokens so
// lookups do not all hit one hot entry.
[Config(typeof(ScaleConfig))]
public class ScaleBenchmarks
{
    private const int Rotation = 1024;
    private BenchHost _host = null!;
    private string[] _secrets = null!;
    private int _next;

    [Params(1_000, 1_000_000)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // An hour's lifetime: setting up a million tokens takes minutes, and with the default 30 s the
        // measurement would include the refreshes and expiries of set-up entries, and MemoryCache
        // compacting a full cache (benchmarks/README.md §4) — not hits.
        _host = BenchHost.Create(configure: o => o.CacheLifetime = TimeSpan.FromHours(1));
        // The presented secrets are copied together once the set-up is done: a request's header value
        // is a string the server has just read, not one made during the set-up between the store's
        // and the cache's objects. At a million tokens the presented ones lay ~100 tokens' objects
        // apart (a page or more each), so every hit began by reading its own input from memory, which
        // the thousand-token row (all of them within ~2 MB) did not.
        _secrets = [.. (await WarmAsync(_host, Tokens)).Select(secret => new string(secret.AsSpan()))];

        // The rows compare like with like only if each presents all of its warmed secrets.
        var presented = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < _secrets.Length; i++)
        {
            presented.Add(Next());
        }

        if (presented.Count != Math.Min(Tokens, Rotation))
        {
            throw new InvalidOperationException($"setup failed: {presented.Count} secrets presented, {Math.Min(Tokens, Rotation)} expected");
        }
    }

    // N tokens in the store, up to 100,000 (the default cache size) cached with their app, and
    // 1,024 of the cached ones spread over the set to present.
    // separate: create every token first and cache afterwards, so the cache's objects are not
    // allocated between the store's (scale-probe's locality check).
    public static async Task<string[]> WarmAsync(BenchHost host, int tokens, bool separate = false)
    {
        var cached = Math.Min(tokens, 100_000);
        var warm = new List<string>(Rotation);
        var created = new List<string>(separate ? cached : 0);
        for (var i = 0; i < tokens; i++)
        {
            var secret = await host.CreateTokenAsync();
            if (separate)
            {
                if (i < cached)
                {
                    created.Add(secret);
                }

                continue;
            }

            if (i < cached)
            {
                // The first use records the app and leaves the token cached with it.
                await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
            }

            if (i % Math.Max(1, cached / Rotation) == 0 && warm.Count < Rotation && i < cached)
            {
                warm.Add(secret);
            }
        }

        for (var i = 0; i < created.Count; i++)
        {
            await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, created[i], BenchHost.AppName);
            await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, created[i], BenchHost.AppName);
            if (i % Math.Max(1, cached / Rotation) == 0 && warm.Count < Rotation)
            {
                warm.Add(created[i]);
            }
        }

        return [.. warm];
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync();

    [Benchmark(Description = "cache hit")]
    public Task<AuthenticateResult> CacheHit()
        => _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, Next(), BenchHost.AppName);

    [Benchmark(Description = "cache miss (in-memory store)")]
    public Task<AuthenticateResult> CacheMiss()
        => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, Next(), BenchHost.AppName);

    // Every warmed secret in turn. (This once read
    // `_secrets[_next++ & (Rotation - 1) % _secrets.Length]`: `%` binds before `&`, so with 1,000
    // tokens the mask was 1023 % 1000 = 23 and only 16 secrets were ever presented — a working set
    // that stays in the CPU's caches — while every larger row presented 1,024.)
    private string Next()
    {
        var i = _next;
        _next = i + 1 == _secrets.Length ? 0 : i + 1;
        return _secrets[i];
    }
}

// the difference to resolve (1,000 against 1,000,000 tokens) is smaller than one run's
// spread with 12 iterations, so this suite takes 40 (and 8 warm-ups).
public sealed class ScaleConfig : ManualConfig
{
    public ScaleConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Throughput)
            .WithLaunchCount(1)
            .WithWarmupCount(8)
            .WithIterationCount(40));
        AddDiagnoser(MemoryDiagnoser.Default);
        WithOrderer(new LargestFirst());
    }

    // The million-token case first: its set-up takes minutes and the thousand-token one's seconds, so
    // the two measurements run back to back instead of ten minutes apart (BenchmarkDotNet's default
    // runs parameters in ascending order), and this machine's drift over such spans stops being part
    // of the ratio. Summary and grouping as the default orderer gives them.
    private sealed class LargestFirst : IOrderer
    {
        private static readonly IOrderer s_default = new DefaultOrderer(SummaryOrderPolicy.Declared);

        public bool SeparateLogicalGroups => s_default.SeparateLogicalGroups;

        public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
            => s_default.GetExecutionOrder(benchmarksCase, order).OrderByDescending(c => c.Parameters["Tokens"] is int tokens ? tokens : 0);

        public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary)
            => s_default.GetSummaryOrder(benchmarksCases, summary);

        public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => s_default.GetHighlightGroupKey(benchmarkCase);

        public string? GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase)
            => s_default.GetLogicalGroupKey(allBenchmarksCases, benchmarkCase);

        public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups, IEnumerable<BenchmarkLogicalGroupRule>? order = null)
            => s_default.GetLogicalGroupOrder(logicalGroups, order);
    }
}
