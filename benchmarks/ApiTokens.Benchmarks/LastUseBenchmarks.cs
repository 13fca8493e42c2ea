using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Recording;
using ApiTokens.Validation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R22's cost on the hot path: the same cache hit through the real handler on two identical hosts,
// one recording last use (the default, 1 minute) and one with it off (LastUsedGranularity = 0),
// beside JwtBearer, in one run; and the validator alone, where the mark is. The steady state between
// two flushes is measured: the pair's slot is marked, so a hit reads one flag (the first hit after a
// flush also reads the clock and queues the slot: once per pair and minute). The baseline is repeated
// last because this shared machine drifts.
[Config(typeof(BenchConfig))]
public class LastUseBenchmarks
{
    private BenchHost _on = null!;
    private BenchHost _off = null!;
    private string _onSecret = null!;
    private string _offSecret = null!;
    private string _jwt = null!;
    private ApiTokenValidator _onValidator = null!;
    private ApiTokenValidator _offValidator = null!;
    private UseRecorder _recorder = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _on = BenchHost.Create();
        _off = BenchHost.Create(configure: o => o.LastUsedGranularity = TimeSpan.Zero);
        _onSecret = await _on.CreateTokenAsync();
        _offSecret = await _off.CreateTokenAsync();
        _jwt = "Bearer " + BenchHost.CreateJwt();
        _onValidator = _on.Services.GetRequiredService<ApiTokenValidator>();
        _offValidator = _off.Services.GetRequiredService<ApiTokenValidator>();
        _recorder = _on.Services.GetRequiredService<UseRecorder>();
        for (var i = 0; i < 3; i++)
        {
            await On();
            await Off();
        }

        await _recorder.FlushAsync(CancellationToken.None);
        await On();
        if (_recorder.PendingCount != 1)
        {
            throw new InvalidOperationException("Benchmark setup is wrong: the hit recorded no use.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _on.DisposeAsync();
        await _off.DisposeAsync();
    }

    [Benchmark(Description = "JwtBearer HS256")]
    public Task<AuthenticateResult> JwtBearer() => _on.AuthenticateAsync(BenchHost.Jwt, "Authorization", _jwt, null);

    [Benchmark(Baseline = true, Description = "Cache hit, last use off")]
    public Task<AuthenticateResult> Off() => _off.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _offSecret, BenchHost.AppName);

    [Benchmark(Description = "Cache hit, last use on")]
    public Task<AuthenticateResult> On() => _on.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _onSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, last use off")]
    public ValueTask<ApiTokenValidationResult> OffValidator() => _offValidator.ValidateAsync(_offSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, last use on")]
    public ValueTask<ApiTokenValidationResult> OnValidator() => _onValidator.ValidateAsync(_onSecret, BenchHost.AppName);

    [Benchmark(Description = "Cache hit, last use off (again, run last)")]
    public Task<AuthenticateResult> OffAgain() => Off();
}
