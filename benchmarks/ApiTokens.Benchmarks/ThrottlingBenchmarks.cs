using System.Net;
using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;

namespace ApiTokens.Benchmarks;

// R27's cost on the hot path: the same cache hit through the real handler, with the request's peer
// address set as Kestrel sets it, with failure throttling on (the default: the client key is read and
// passed to the validator) and off (FailureLimit = 0, ClientKey = null), and for a client that is
// currently throttled (its cached token keeps working). Same run, ratios against "off".
[Config(typeof(BenchConfig))]
public class ThrottlingBenchmarks
{
    private static readonly IPAddress s_client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress s_throttledClient = IPAddress.Parse("203.0.113.8");

    private BenchHost _on = null!;
    private BenchHost _off = null!;
    private string _onSecret = null!;
    private string _offSecret = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _on = BenchHost.Create();
        _off = BenchHost.Create(configure: o => o.FailureLimit = 0, scheme: o => o.ClientKey = null);
        _onSecret = await _on.CreateTokenAsync();
        _offSecret = await _off.CreateTokenAsync();
        for (var i = 0; i < 3; i++)
        {
            Check(await Off(), true);
            Check(await On(), true);
            Check(await _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_throttledClient), true);
        }

        // The throttled client fails 100 times, then a new secret of its is refused: it is throttled.
        await using (var other = BenchHost.Create())
        {
            var unknown = await other.CreateTokenAsync();
            for (var i = 0; i < 101; i++)
            {
                await _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, unknown, BenchHost.AppName, s_throttledClient);
            }
        }

        var refused = await _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, await _on.CreateTokenAsync(), BenchHost.AppName, s_throttledClient);
        if (refused.Failure is not { } failure || !failure.Message.Contains("Too many", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Benchmark setup is wrong: the client is not throttled.");
        }

        Check(await OnThrottledClient(), true);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _on.DisposeAsync();
        await _off.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Cache hit, throttling off")]
    public Task<AuthenticateResult> Off() => _off.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _offSecret, BenchHost.AppName, s_client);

    [Benchmark(Description = "Cache hit, throttling on")]
    public Task<AuthenticateResult> On() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_client);

    [Benchmark(Description = "Cache hit, throttling on, client throttled")]
    public Task<AuthenticateResult> OnThrottledClient() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_throttledClient);

    private static void Check(AuthenticateResult result, bool succeeded)
    {
        if (result.Succeeded != succeeded)
        {
            throw new InvalidOperationException($"Benchmark setup is wrong: {result.Failure?.Message}.");
        }
    }
}
