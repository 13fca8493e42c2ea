using System.ComponentModel;
using ApiTokens.Caching;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace ApiTokens.Benchmarks;

// Should the validation cache be built on a library that already coalesces loads and refreshes
// ahead? The hit of each, from a presented secret to the cached entry, with the same keyed BLAKE3
// derivation first (the cache must never hold a secret, so every candidate is keyed by a value
// derived from it): ApiTokenCache as it ships; HybridCache (Microsoft.Extensions.Caching.Hybrid,
// in-memory only, the entry type marked immutable so its L1 hands out the instance instead of a
// deserialized copy — its best case); FusionCache with eager refresh at 70 % (its refresh-ahead).
// Both libraries take string keys, so the derived key is formatted per request, as the validator
// would have to. Adoption needs the hit within 5 % of today's and no bytes allocated.
[Config(typeof(BenchConfig))]
public class CacheLibraryBenchmarks
{
    private const int Presented = 1024;

    private ServiceProvider _services = null!;
    private ServiceProvider _apiTokens = null!;
    private ApiTokenCache _cache = null!;
    private HybridCache _hybrid = null!;
    private FusionCache _fusion = null!;
    private string[] _secrets = null!;
    private int _next;

    [Params(1_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddHybridCache().Services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        _fusion = new FusionCache(new FusionCacheOptions { DefaultEntryOptions = new FusionCacheEntryOptions(TimeSpan.FromHours(1)) { EagerRefreshThreshold = 0.7f } });
        // The cache as AddApiTokens builds it, loading from an in-memory store.
        var apiTokens = new ServiceCollection().AddLogging();
        apiTokens.AddApiTokens(o => { o.CacheLifetime = TimeSpan.FromHours(1); o.CacheSizeLimit = 200_000; }).AddInMemoryStore().AddInMemoryMembership();
        _apiTokens = apiTokens.BuildServiceProvider();
        _cache = _apiTokens.GetRequiredService<ApiTokenCache>();
        var store = _apiTokens.GetRequiredService<Stores.IApiTokenStore>();
        var hybridOptions = new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1), LocalCacheExpiration = TimeSpan.FromHours(1) };
        var secrets = new List<string>(Presented);
        for (var i = 0; i < Entries; i++)
        {
            var secret = "apt_" + i.ToString("D40", System.Globalization.CultureInfo.InvariantCulture);
            var token = Token(i, secret);
            store.TryCreateAsync(token, int.MaxValue, audit: null, CancellationToken.None).GetAwaiter().GetResult();
            _cache.TryComputeKey(secret, out var key);
            _cache.LoadAsync(key, secret).GetAwaiter().GetResult();
            var entry = new LibraryEntry(token.Id);
            _hybrid.SetAsync(Key(key), entry, hybridOptions).AsTask().GetAwaiter().GetResult();
            _fusion.Set(Key(key), entry);
            if (i % Math.Max(1, Entries / Presented) == 0 && secrets.Count < Presented)
            {
                secrets.Add(secret);
            }
        }

        // Fresh strings, as a request's header values are.
        _secrets = [.. secrets.Select(s => new string(s.AsSpan()))];
        if (Hit() is null || HybridHit().AsTask().Result is null || FusionHit().AsTask().Result is null)
        {
            throw new InvalidOperationException("Benchmark setup is wrong: a presented secret is not cached.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _apiTokens.Dispose();
        _fusion.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ApiTokenCache (as shipped)")]
    public object? Hit()
    {
        _cache.TryComputeKey(_secrets[_next++ % _secrets.Length], out var key);
        return _cache.TryGet(key, out _);
    }

    [Benchmark(Description = "HybridCache.GetOrCreateAsync (L1, immutable entry)")]
    public ValueTask<LibraryEntry> HybridHit()
    {
        _cache.TryComputeKey(_secrets[_next++ % _secrets.Length], out var key);
        return _hybrid.GetOrCreateAsync(Key(key), static _ => ValueTask.FromResult(new LibraryEntry("miss")));
    }

    [Benchmark(Description = "FusionCache.GetOrSetAsync (eager refresh 0.7)")]
    public ValueTask<LibraryEntry> FusionHit()
    {
        _cache.TryComputeKey(_secrets[_next++ % _secrets.Length], out var key);
        return _fusion.GetOrSetAsync<LibraryEntry>(Key(key), static (_, _) => Task.FromResult(new LibraryEntry("miss")));
    }

    private static string Key(UInt128 key) => key.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private static ApiToken Token(int i, string secret) => new()
    {
        Id = i.ToString("x24", System.Globalization.CultureInfo.InvariantCulture),
        Type = TokenType.Account,
        AccountId = "acme",
        CreatedBy = "alice",
        CreatedAt = DateTimeOffset.UnixEpoch,
        Privilege = TokenPrivilege.Normal,
        DefaultAppState = AppState.Allow,
        SecretHash = Secrets.ApiTokenSecretCodec.Hash(secret),
        SecretHint = "apt_…0000",
        Apps = [new TokenApp("app", AppState.Allow, DateTimeOffset.UnixEpoch)],
    };

    // What a library would hold: HybridCache hands out the cached instance only for immutable types.
    [ImmutableObject(true)]
    public sealed record LibraryEntry(string TokenId);
}
