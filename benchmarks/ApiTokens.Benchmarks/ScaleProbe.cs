using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Diagnostics;

namespace ApiTokens.Benchmarks;

// Where the time of a cache hit goes at scale: the ScaleBenchmarks set-up (N tokens, up
// to 100,000 cached), then the same hits timed in one loop, with the GC's count and pause time
// over the loop, so a slowdown can be told apart: GC pauses, or the hit itself.
//   dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- scale-probe 1000000
public static class ScaleProbe
{
    public static async Task RunAsync(int tokens, int operations, bool separate = false, TimeSpan? lifetime = null)
    {
        // The suite's lifetime (an hour) unless told: set-up entries neither refresh nor expire during the loop.
        await using var host = BenchHost.Create(configure: o => o.CacheLifetime = lifetime ?? TimeSpan.FromHours(1));
        long misses = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ApiTokensTelemetry.MeterName && instrument.Name == "apitokens.cache.lookups")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "apitokens.cache.hit", Value: false })
                {
                    Interlocked.Add(ref misses, value);
                }
            }
        });
        listener.Start();
        var secrets = await ScaleBenchmarks.WarmAsync(host, tokens, separate);
        for (var round = 0; round < 3; round++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var gen0 = GC.CollectionCount(0);
            var gen1 = GC.CollectionCount(1);
            var gen2 = GC.CollectionCount(2);
            var paused = GC.GetTotalPauseDuration();
            var missed = Interlocked.Read(ref misses);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < operations; i++)
            {
                var result = await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secrets[i % secrets.Length], BenchHost.AppName);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("a hit failed");
                }
            }

            watch.Stop();
            var pause = GC.GetTotalPauseDuration() - paused;
            Console.WriteLine(
                $"tokens {tokens:N0}{(separate ? " (cached after the store was filled)" : string.Empty)}: {watch.Elapsed.TotalMicroseconds / operations:F3} µs per hit; GC pauses {pause.TotalMicroseconds / operations:F3} µs per hit " +
                $"(gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}; {pause.TotalMilliseconds / Math.Max(1, GC.CollectionCount(0) - gen0):F2} ms per GC); cache misses {Interlocked.Read(ref misses) - missed:N0}; heap {GC.GetTotalMemory(false) / 1024 / 1024:N0} MiB");
        }
    }
}
