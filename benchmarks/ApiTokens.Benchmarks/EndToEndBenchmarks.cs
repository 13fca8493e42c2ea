using System.Net.Http.Headers;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Benchmarks;

// One endpoint behind each scheme, through the whole ASP.NET Core pipeline on TestServer; each
// reported as a ratio to the same endpoint with no authentication.
[Config(typeof(EndToEndConfig))]
public class EndToEndBenchmarks
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _secret = null!;
    private string _jwt = null!;
    private string _bearer = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
        builder.Services.AddAuthentication()
            .AddApiTokens()
            .AddJwtBearer(BenchHost.Jwt, BenchHost.ConfigureJwt)
            .AddBearerToken(BenchHost.Bearer);
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/none", static () => "ok");
        _app.MapGet("/apitokens", static () => "ok").RequireApiToken();
        _app.MapGet("/jwt", static () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes(BenchHost.Jwt).RequireAuthenticatedUser());
        _app.MapGet("/bearer", static () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes(BenchHost.Bearer).RequireAuthenticatedUser());
        await _app.StartAsync();
        _client = _app.GetTestClient();

        using (var scope = _app.Services.CreateScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Privilege = TokenPrivilege.Normal });
            _secret = created.Value!.Secret;
        }

        _jwt = BenchHost.CreateJwt();
        _bearer = BenchHost.CreateBearerToken(_app.Services);

        foreach (var run in new Func<Task<int>>[] { NoAuthentication, ApiTokens, JwtBearer, BearerToken, ApiTokens })
        {
            if (await run() != StatusCodes.Status200OK)
            {
                throw new InvalidOperationException("setup failed: " + run.Method.Name);
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "No authentication")]
    public Task<int> NoAuthentication() => SendAsync("/none", null);

    [Benchmark(Description = "ApiTokens (cache hit)")]
    public Task<int> ApiTokens() => SendAsync("/apitokens", request =>
    {
        request.Headers.Add(ApiTokenAuthenticationDefaults.TokenHeaderName, _secret);
        request.Headers.Add(ApiTokenAuthenticationDefaults.AppNameHeaderName, BenchHost.AppName);
    });

    [Benchmark(Description = "JwtBearer HS256")]
    public Task<int> JwtBearer() => SendAsync("/jwt", request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _jwt));

    [Benchmark(Description = "BearerToken")]
    public Task<int> BearerToken() => SendAsync("/bearer", request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer));

    private async Task<int> SendAsync(string path, Action<HttpRequestMessage>? prepare)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        prepare?.Invoke(request);
        using var response = await _client.SendAsync(request);
        return (int)response.StatusCode;
    }

    // Requests through TestServer hop threads, so this class needs more iterations than the others.
    private sealed class EndToEndConfig : BenchmarkDotNet.Configs.ManualConfig
    {
        public EndToEndConfig()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(10).WithIterationCount(40));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
            WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        }
    }
}
