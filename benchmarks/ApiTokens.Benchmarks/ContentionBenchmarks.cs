using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;

namespace ApiTokens.Benchmarks;

// First use of a new app name under contention: 64 concurrent requests present one token with an
// app name nobody has used; the app is recorded once and every request is judged. Reported per request.
[Config(typeof(BenchConfig))]
public class ContentionBenchmarks
{
    private const int Concurrency = 64;
    private BenchHost _host = null!;
    private string _secret = null!;
    private int _app;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create();
        _secret = await _host.CreateTokenAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync();

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "64 racing first uses of a new app")]
    public async Task FirstUseUnderContention()
    {
        var app = "app-" + Interlocked.Increment(ref _app);
        var tasks = new Task[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            tasks[i] = Task.Run(() => _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, app));
        }

        await Task.WhenAll(tasks);
    }
}
