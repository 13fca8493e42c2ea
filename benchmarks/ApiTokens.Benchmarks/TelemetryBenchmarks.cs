using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R25's cost on the hot path: the same cache hit through the real handler on two identical hosts, one
// whose ApiTokens meter nobody listens to and one with a MeterListener (as OpenTelemetry attaches)
// receiving every measurement, plus an ActivityListener sampling everything (a hit starts no span).
// Same run; the baseline is repeated last because this shared machine drifts with the order.
[Config(typeof(BenchConfig))]
public class TelemetryBenchmarks
{
    private BenchHost _quiet = null!;
    private BenchHost _observed = null!;
    private string _quietSecret = null!;
    private string _observedSecret = null!;
    private ApiTokens.Validation.ApiTokenValidator _quietValidator = null!;
    private ApiTokens.Validation.ApiTokenValidator _observedValidator = null!;
    private MeterListener? _meters;
    private ActivityListener? _spans;
    private long _measurements;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _quiet = BenchHost.Create();
        _observed = BenchHost.Create();
        _quietSecret = await _quiet.CreateTokenAsync();
        _observedSecret = await _observed.CreateTokenAsync();
        _quietValidator = _quiet.Services.GetRequiredService<ApiTokens.Validation.ApiTokenValidator>();
        _observedValidator = _observed.Services.GetRequiredService<ApiTokens.Validation.ApiTokenValidator>();
        var scope = _observed.Services.GetRequiredService<IMeterFactory>();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ApiTokensTelemetry.MeterName && instrument.Meter.Scope == scope)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ApiTokensTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_spans);
        for (var i = 0; i < 3; i++)
        {
            await Quiet();
            await Observed();
        }

        var before = Interlocked.Read(ref _measurements);
        await Observed();
        if (Interlocked.Read(ref _measurements) - before < 3)
        {
            throw new InvalidOperationException("Benchmark setup is wrong: the listener sees no measurements.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _meters?.Dispose();
        _spans?.Dispose();
        await _quiet.DisposeAsync();
        await _observed.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Cache hit, no listener")]
    public Task<AuthenticateResult> Quiet() => _quiet.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _quietSecret, BenchHost.AppName);

    [Benchmark(Description = "Cache hit, meter and activity listeners attached")]
    public Task<AuthenticateResult> Observed() => _observed.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, _observedSecret, BenchHost.AppName);

    // The validator alone, where the instruments are: what telemetry adds to a hit, without the
    // request's own setup (and its noise) around it.
    [Benchmark(Description = "Validator hit alone, no listener")]
    public ValueTask<ApiTokens.Validation.ApiTokenValidationResult> QuietValidator() => _quietValidator.ValidateAsync(_quietSecret, BenchHost.AppName);

    [Benchmark(Description = "Validator hit alone, listeners attached")]
    public ValueTask<ApiTokens.Validation.ApiTokenValidationResult> ObservedValidator() => _observedValidator.ValidateAsync(_observedSecret, BenchHost.AppName);

    [Benchmark(Description = "Cache hit, no listener (again, run last)")]
    public Task<AuthenticateResult> QuietAgain() => Quiet();
}
