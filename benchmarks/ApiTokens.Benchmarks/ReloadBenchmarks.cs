using ApiTokens.Secrets;
using ApiTokens.Stores;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// the refresh-ahead reloads of 100 cached tokens (each with 3 apps) on the database stores,
// one store call per token (how reloads were read before batching) against one
// FindActiveBySecretHashesAsync call for all of them. 1,100 tokens in the table. PostgreSQL runs in a
// throwaway local cluster started for the run.
[Config(typeof(BenchConfig))]
public class ReloadBenchmarks
{
    private const int Reloads = 100;

    private DatabaseBench _database = null!;
    private BenchHost _host = null!;
    private IApiTokenStore _store = null!;
    private ReadOnlyMemory<byte>[] _hashes = null!;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync(Store);
        _host = _database.Host;
        var secrets = new List<string>();
        for (var i = 0; i < 1100; i++)
        {
            secrets.Add(await _host.CreateTokenAsync());
        }

        // Every eleventh token is reloaded (100 of 1,100), each holding 3 apps as hot tokens do.
        var reloaded = secrets.Where((_, i) => i % 11 == 0).Take(Reloads).ToList();
        foreach (var secret in reloaded)
        {
            foreach (var app in new[] { BenchHost.AppName, "cosi", "terraform" })
            {
                await _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, AspNetCore.Authentication.ApiTokenAuthenticationDefaults.TokenHeaderName, secret, app);
            }
        }

        _hashes = [.. reloaded.Select(s => (ReadOnlyMemory<byte>)ApiTokenSecretCodec.Hash(s))];
        _store = _host.Services.GetRequiredService<IApiTokenStore>();
        if ((await OneByOne()) != Reloads || (await Batched()) != Reloads)
        {
            throw new InvalidOperationException("setup failed: every hash should find its token");
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark(Baseline = true, Description = "100 reloads, one store call each")]
    public async Task<int> OneByOne()
    {
        var found = 0;
        foreach (var hash in _hashes)
        {
            if (await _store.FindBySecretHashAsync(hash, includeRetired: false, CancellationToken.None) is { Apps.Count: 3 })
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(Description = "100 reloads, one batched store call")]
    public async Task<int> Batched()
        => (await ((Stores.IApiTokenBatchLookupStore)_store).FindBySecretHashesAsync(_hashes, includeRetired: false, CancellationToken.None)).Count(t => t.Apps.Count == 3);
}
