using System.Text;
using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;

namespace ApiTokens.Benchmarks;

// The hot path through the real handlers: IAuthenticationService.AuthenticateAsync on an HttpContext
// prepared with a DI scope and the scheme's headers, as ASP.NET prepares every request. ApiTokens
// against JwtBearer (HS256) and ASP.NET's BearerToken in the same run. Two reference rows separate
// what every scheme pays from what each scheme adds:
// - "Context setup only": the scope and context, no authentication;
// - "Framework floor": setup plus AuthenticationService running a handler that does nothing but
//   succeed with a prebuilt principal.
[Config(typeof(BenchConfig))]
public class HotPathBenchmarks
{
    private BenchHost _host = null!;
    private string _secret = null!;
    private string _basic = null!;
    private string _unknown = null!;
    private string _malformed = null!;
    private string _jwt = null!;
    private string _bearer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create();
        _secret = await _host.CreateTokenAsync();
        _basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(BenchHost.AppName + ":" + _secret));
        await using (var other = BenchHost.Create())
        {
            _unknown = await other.CreateTokenAsync();
        }

        _malformed = _secret[..^1] + (_secret[^1] == 'a' ? 'b' : 'a');
        _jwt = "Bearer " + BenchHost.CreateJwt();
        _bearer = "Bearer " + _host.CreateBearerToken();

        // Record the app, warm the cache, and prove every benchmark does what its name says.
        await CacheHit_HeaderForm();
        for (var i = 0; i < 3; i++)
        {
            Check(await CacheHit_HeaderForm(), true);
            Check(await CacheHit_Basic(), true);
        }

        Check(await FrameworkFloor(), true);
        Check(await JwtBearer_HS256(), true);
        Check(await BearerToken_DataProtection(), true);
        Check(await CacheMiss_InMemoryStore(), true);
        Check(await UnknownSecret(), false);
        Check(await MalformedSecret(), false);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync();

    [Benchmark(Description = "Context setup only (no authentication)")]
    public Task<int> ContextOnly() => _host.ContextOnlyAsync(ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);

    [Benchmark(Description = "Framework floor (do-nothing handler)")]
    public Task<AuthenticateResult> FrameworkFloor() => _host.AuthenticateAsync(BenchHost.Floor, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);

    [Benchmark(Baseline = true, Description = "JwtBearer HS256")]
    public Task<AuthenticateResult> JwtBearer_HS256() => _host.AuthenticateAsync(BenchHost.Jwt, "Authorization", _jwt, null);

    [Benchmark(Description = "BearerToken (data protection)")]
    public Task<AuthenticateResult> BearerToken_DataProtection() => _host.AuthenticateAsync(BenchHost.Bearer, "Authorization", _bearer, null);

    [Benchmark(Description = "ApiTokens cache hit, X-Circonus headers")]
    public Task<AuthenticateResult> CacheHit_HeaderForm() => _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);

    [Benchmark(Description = "ApiTokens cache hit, Basic")]
    public Task<AuthenticateResult> CacheHit_Basic() => _host.AuthenticateAsync(BenchHost.ApiTokens, "Authorization", _basic, null);

    [Benchmark(Description = "ApiTokens cache miss, in-memory store")]
    public Task<AuthenticateResult> CacheMiss_InMemoryStore() => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);

    [Benchmark(Description = "ApiTokens well-formed unknown secret")]
    public Task<AuthenticateResult> UnknownSecret() => _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _unknown, BenchHost.AppName);

    [Benchmark(Description = "ApiTokens malformed secret (checksum)")]
    public Task<AuthenticateResult> MalformedSecret() => _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _malformed, BenchHost.AppName);

    private static void Check(AuthenticateResult result, bool succeeded)
    {
        if (result.Succeeded != succeeded)
        {
            throw new InvalidOperationException($"Benchmark setup is wrong: expected Succeeded={succeeded}, got {result.Failure?.Message}.");
        }
    }
}
