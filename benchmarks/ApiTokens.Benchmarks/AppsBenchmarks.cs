using ApiTokens.Validation;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// the validator's cache hit for a token used by several apps, against a token with one
// app (the baseline). load-many.sh runs 3 apps per token; a token's first app has a result slot of
// its own, the others are found by the app's position (they used to go through a
// ConcurrentDictionary by name per token, a second hashing of the name on every hit).
[Config(typeof(BenchConfig))]
public class AppsBenchmarks
{
    private BenchHost _host = null!;
    private ApiTokenValidator _validator = null!;
    private string _one = null!;
    private string _three = null!;
    private string _twelve = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create();
        _validator = _host.Services.GetRequiredService<ApiTokenValidator>();
        _one = await CreateAsync(1);
        _three = await CreateAsync(3);
        _twelve = await CreateAsync(12);
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _host.DisposeAsync();

    [Benchmark(Baseline = true, Description = "validator hit, token with 1 app")]
    public ValueTask<ApiTokenValidationResult> OneApp() => _validator.ValidateAsync(_one, "app-1");

    [Benchmark(Description = "validator hit, 3rd app of 3")]
    public ValueTask<ApiTokenValidationResult> ThirdOfThree() => _validator.ValidateAsync(_three, "app-3");

    [Benchmark(Description = "validator hit, 12th app of 12")]
    public ValueTask<ApiTokenValidationResult> TwelfthOfTwelve() => _validator.ValidateAsync(_twelve, "app-12");

    // A token whose apps are all recorded and cached, each pair's result built.
    private async Task<string> CreateAsync(int apps)
    {
        var secret = await _host.CreateTokenAsync();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 1; i <= apps; i++)
            {
                if ((await _validator.ValidateAsync(secret, $"app-{i}")).Status != ApiTokenValidationStatus.Success)
                {
                    throw new InvalidOperationException("setup failed: every app should authenticate");
                }
            }
        }

        return secret;
    }
}
