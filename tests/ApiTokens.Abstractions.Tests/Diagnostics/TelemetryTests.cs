using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiTokens.Caching;
using ApiTokens.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ApiTokens.Tests.Diagnostics;

// R25: the meter and activity source of the validation flow.
[TestClass]
[TestCategory("R25")]
public sealed class TelemetryTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Authentications_CountedAndTimedByResult_CacheLookupsByHit()
    {
        using var h = Harness.Create();
        var meters = h.Services.GetRequiredService<IMeterFactory>();
        using var count = new MetricCollector<long>(meters, ApiTokensTelemetry.MeterName, "apitokens.authentication.count");
        using var duration = new MetricCollector<double>(meters, ApiTokensTelemetry.MeterName, "apitokens.authentication.duration");
        using var lookups = new MetricCollector<long>(meters, ApiTokensTelemetry.MeterName, "apitokens.cache.lookups");
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);

        await h.Validator.ValidateAsync(token.Secret, "app", Ct);       // miss, records the app: pending
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);       // hit (the first use updated the entry)
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);       // hit
        await h.Validator.ValidateAsync("apt_bad", "app", Ct);          // malformed: no lookup

        var results = count.GetMeasurementSnapshot().Select(m => (string)m.Tags["apitokens.result"]!).ToArray();
        CollectionAssert.AreEqual(new[] { "pending_app", "pending_app", "pending_app", "bad_token" }, results);
        Assert.HasCount(4, duration.GetMeasurementSnapshot());
        Assert.IsTrue(duration.GetMeasurementSnapshot().All(m => m.Value is >= 0 and < 60), "seconds");
        var hits = lookups.GetMeasurementSnapshot().Select(m => (bool)m.Tags["apitokens.cache.hit"]!).ToArray();
        CollectionAssert.AreEqual(new[] { false, true, true, false }, hits);
    }

    [TestMethod]
    public async Task NoTagHoldsASecretHashTokenIdAppNameOrAccount_StoreFailuresCarryTheirType()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: store.Wrap);
        var meters = h.Services.GetRequiredService<IMeterFactory>();
        var seen = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ApiTokensTelemetry.MeterName && instrument.Meter.Scope == meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Collect(i, tags));
        listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Collect(i, tags));
        listener.Start();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "secret-app-name", Ct);
        await h.Validator.ValidateAsync(token.Secret, "secret-app-name", Ct);
        store.FailReads = true;
        await h.Validator.ValidateAsync(h.Secrets.Generate(), "secret-app-name", Ct);
        listener.RecordObservableInstruments();

        var forbidden = new[] { token.Secret, token.Details.Token.Id, "secret-app-name", "acme", "bob", Convert.ToHexString(ApiTokens.Secrets.ApiTokenSecretCodec.Hash(token.Secret)) };
        foreach (var value in seen)
        {
            Assert.IsFalse(forbidden.Any(f => value.Contains(f, StringComparison.OrdinalIgnoreCase)), value);
        }

        CollectionAssert.Contains(seen, "apitokens.store.duration error.type=ApiTokens.Stores.ApiTokenStoreException");
        CollectionAssert.Contains(seen, "apitokens.authentication.count apitokens.result=store_unavailable");

        void Collect(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                lock (seen)
                {
                    seen.Add($"{instrument.Name} {tag.Key}={tag.Value}");
                }
            }
        }
    }

    [TestMethod]
    public async Task Spans_ForMissesAndStoreCalls_NeverForACacheHit()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        h.Services.GetRequiredService<ApiTokenChangeFeed>().TokenChanged(token.Details.Token.Id);   // as if another node changed it
        var spans = new List<Activity>();
        var trace = default(ActivityTraceId);

        // Spans of this test only: other tests validate in parallel, in other traces.
        using var source = new ActivitySource("ApiTokens.Tests." + nameof(Spans_ForMissesAndStoreCalls_NeverForACacheHit));
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ApiTokensTelemetry.ActivitySourceName || s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                if (a.Source.Name == ApiTokensTelemetry.ActivitySourceName && a.TraceId == trace)
                {
                    lock (spans)
                    {
                        spans.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var test = source.StartActivity("test")!;
        trace = test.TraceId;

        await h.Validator.ValidateAsync(token.Secret, "app", Ct);   // miss (the change dropped the entry)
        var afterMiss = spans.Select(s => s.DisplayName).ToArray();
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);   // hit

        CollectionAssert.AreEquivalent(new[] { "ApiTokens store find", "ApiTokens cache miss" }, afterMiss);
        Assert.HasCount(afterMiss.Length, spans, "a cache hit starts no span");
        Assert.IsTrue(spans.SelectMany(s => s.TagObjects).All(t => t.Value?.ToString()?.Contains(token.Details.Token.Id, StringComparison.Ordinal) != true));
    }
}
