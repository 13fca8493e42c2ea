using System.Net;
using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R27's cost on the hot path: the same cache hit through the real handler, with the request's peer
// address set as Kestrel sets it. One host, one validator and cache, two schemes: throttling on (the
// default: the scheme reads the client key and passes it) and off (ClientKey = null: no key, no
// throttling), so the rows differ in exactly that; plus a client that is currently throttled (its
// cached token keeps working), and the client key read alone. Same run, ratios against "off".
[Config(typeof(BenchConfig))]
public class ThrottlingBenchmarks
{
    private static readonly IPAddress s_client = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress s_throttledClient = IPAddress.Parse("203.0.113.8");

    private static readonly Func<Microsoft.AspNetCore.Http.HttpContext, string?> s_defaultKey = new ApiTokenAuthenticationOptions().ClientKey!;
    private readonly Microsoft.AspNetCore.Http.DefaultHttpContext _keyContext = new();
    private const string NoKey = "ApiTokensNoClientKey";
    private BenchHost _on = null!;
    private string _onSecret = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _keyContext.Connection.RemoteIpAddress = s_client;
        _on = BenchHost.Create(authentication: a => a.AddApiTokens(NoKey, o => o.ClientKey = null));
        _onSecret = await _on.CreateTokenAsync();
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
    public async Task CleanupAsync() => await _on.DisposeAsync();

    [Benchmark(Baseline = true, Description = "Cache hit, throttling off")]
    public Task<AuthenticateResult> Off() => _on.AuthenticateAsync(NoKey, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_client);

    [Benchmark(Description = "Cache hit, throttling on")]
    public Task<AuthenticateResult> On() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_client);

    // The only work throttling adds to a hit: the scheme reading the client key (the validator judges
    // a cached token before it looks at the key). Timed alone, where nanoseconds are resolvable.
    [Benchmark(Description = "Client key only (what throttling adds to a hit)")]
    public string? ClientKeyOnly() => s_defaultKey(_keyContext);

    [Benchmark(Description = "Cache hit, throttling on, client throttled")]
    public Task<AuthenticateResult> OnThrottledClient() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName, s_throttledClient);

    // "Off" again, last: on this shared machine the rows drift with the order they run in, so the
    // baseline is measured before and after the others.
    [Benchmark(Description = "Cache hit, throttling off (again, run last)")]
    public Task<AuthenticateResult> OffAgain() => Off();

    private static void Check(AuthenticateResult result, bool succeeded)
    {
        if (result.Succeeded != succeeded)
        {
            throw new InvalidOperationException($"Benchmark setup is wrong: {result.Failure?.Message}.");
        }
    }
}
