using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using ApiTokens.Validation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R33 and R34 on the hot path, in one run: the same cache hit through the real handler and the
// validator alone, for a token with neither, with allowed networks (4 ranges, the match in the
// last), with a rate limit (never reached), with both, and with both and the limit counted in Redis
// (REDIS=host:port; skipped without it). The request comes from an IPv4-mapped address, as a
// dual-stack Kestrel reports an IPv4 client. The baseline is repeated last (the machine drifts).
[Config(typeof(BenchConfig))]
public class NetworkAndRateLimitBenchmarks
{
    private static readonly IPAddress s_peer = IPAddress.Parse("::ffff:10.1.2.3");
    private static readonly string[] s_networks = ["192.168.0.0/16", "172.16.0.0/12", "2001:db8::/32", "10.0.0.0/8"];
    // Never reached: a window of a second holds more requests than one core makes in it, so every
    // hit takes the counting path (and a new window opens each second, as under real load).
    private static readonly ApiTokenRateLimit s_limit = new(ApiTokenRateLimit.MaxLimit, 1);

    private BenchHost _host = null!;
    private BenchHost? _redisHost;
    private string _plain = null!;
    private string _networks = null!;
    private string _limited = null!;
    private string _both = null!;
    private string _plainAlone = null!;
    private string _networksAlone = null!;
    private string _limitedAlone = null!;
    private string _bothAlone = null!;
    private string? _redis;
    private ApiTokenValidator _validator = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create();
        _validator = _host.Services.GetRequiredService<ApiTokenValidator>();
        _plain = await CreateAsync(_host, null, null);
        _networks = await CreateAsync(_host, s_networks, null);
        _limited = await CreateAsync(_host, null, s_limit);
        _both = await CreateAsync(_host, s_networks, s_limit);

        // The validator rows use tokens of their own, so no row's count runs into another's window.
        _plainAlone = await CreateAsync(_host, null, null);
        _networksAlone = await CreateAsync(_host, s_networks, null);
        _limitedAlone = await CreateAsync(_host, null, s_limit);
        _bothAlone = await CreateAsync(_host, s_networks, s_limit);
        if (Environment.GetEnvironmentVariable("REDIS") is { Length: > 0 } redis)
        {
            _redisHost = BenchHost.Create(store: b => b.AddInMemoryStore().AddRedisRateLimits(redis));
            _redis = await CreateAsync(_redisHost, s_networks, s_limit);
        }

        foreach (var secret in new[] { _plain, _networks, _limited, _both, _plainAlone, _networksAlone, _limitedAlone, _bothAlone })
        {
            var result = await _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName, s_peer);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException("Benchmark setup is wrong: a hit failed.");
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.DisposeAsync();
        if (_redisHost is not null)
        {
            await _redisHost.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, Description = "Cache hit, neither")]
    public Task<AuthenticateResult> Neither() => Hit(_host, _plain);

    [Benchmark(Description = "Cache hit, allowed networks")]
    public Task<AuthenticateResult> Networks() => Hit(_host, _networks);

    [Benchmark(Description = "Cache hit, rate limit")]
    public Task<AuthenticateResult> RateLimit() => Hit(_host, _limited);

    [Benchmark(Description = "Cache hit, both")]
    public Task<AuthenticateResult> Both() => Hit(_host, _both);

    [Benchmark(Description = "Cache hit, both, limit in Redis")]
    public Task<AuthenticateResult> BothRedis() => _redisHost is null ? Neither() : Hit(_redisHost, _redis!);

    [Benchmark(Description = "Validator hit alone, neither")]
    public ValueTask<ApiTokenValidationResult> ValidatorNeither() => _validator.ValidateAsync(_plainAlone, BenchHost.AppName, null, s_peer, CancellationToken.None);

    [Benchmark(Description = "Validator hit alone, allowed networks")]
    public ValueTask<ApiTokenValidationResult> ValidatorNetworks() => _validator.ValidateAsync(_networksAlone, BenchHost.AppName, null, s_peer, CancellationToken.None);

    [Benchmark(Description = "Validator hit alone, rate limit")]
    public ValueTask<ApiTokenValidationResult> ValidatorRateLimit() => _validator.ValidateAsync(_limitedAlone, BenchHost.AppName, null, s_peer, CancellationToken.None);

    [Benchmark(Description = "Validator hit alone, both")]
    public ValueTask<ApiTokenValidationResult> ValidatorBoth() => _validator.ValidateAsync(_bothAlone, BenchHost.AppName, null, s_peer, CancellationToken.None);

    [Benchmark(Description = "Validator hit alone, neither (again, run last)")]
    public ValueTask<ApiTokenValidationResult> ValidatorNeitherAgain() => ValidatorNeither();

    [Benchmark(Description = "Cache hit, neither (again, run last)")]
    public Task<AuthenticateResult> NeitherAgain() => Neither();

    private static Task<AuthenticateResult> Hit(BenchHost host, string secret)
        => host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName, s_peer);

    private static async Task<string> CreateAsync(BenchHost host, IReadOnlyList<string>? networks, ApiTokenRateLimit? limit)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(
            new ApiTokenActor("acme", "alice"),
            new CreateApiTokenRequest { Type = TokenType.User, Privilege = TokenPrivilege.Normal, DefaultAppState = AppState.Allow, AllowedNetworks = networks, RateLimit = limit });
        return result.Value!.Secret;
    }
}
