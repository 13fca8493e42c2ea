using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiTokens.Stores;
using ApiTokens.Validation;

namespace ApiTokens.Diagnostics;

// R25: the meter and activity source of the validation flow. One per container (IMeterFactory), so
// tests and hosts each see their own. Tag values are fixed strings: results, operations, error
// types — never a secret, hash, token id, app name or account id.
internal sealed class ApiTokenInstruments
{
    public static readonly ActivitySource Source = new(ApiTokensTelemetry.ActivitySourceName);

    private const string ResultTag = "apitokens.result";
    private const string OperationTag = "apitokens.store.operation";

    private static readonly string[] s_results =
        ["success", "bad_token", "bad_app", "pending_app", "denied_app", "too_many_apps", "store_unavailable", "throttled", "network_not_allowed", "rate_limited"];

    private static readonly KeyValuePair<string, object?> s_hit = new("apitokens.cache.hit", true);
    private static readonly KeyValuePair<string, object?> s_miss = new("apitokens.cache.hit", false);

    private readonly Counter<long> _authentications;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _cacheLookups;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _notifications;

    public ApiTokenInstruments(IMeterFactory meters)
    {
        var meter = meters.Create(ApiTokensTelemetry.MeterName);

        // Buckets in seconds from 10 µs (a cache hit) to 10 s (a store at its timeout); exporters
        // that honour advice (OpenTelemetry) use them instead of their millisecond defaults.
        _authentications = meter.CreateCounter<long>("apitokens.authentication.count", "{authentication}", "Authentications by result.");
        _duration = meter.CreateHistogram<double>("apitokens.authentication.duration", "s", "How long validating a presented secret took.", tags: null, advice: s_seconds);
        _cacheLookups = meter.CreateCounter<long>("apitokens.cache.lookups", "{lookup}", "Cache lookups of well-formed secrets, by hit.");
        _storeDuration = meter.CreateHistogram<double>("apitokens.store.duration", "s", "Store calls of the validation flow; error.type on failures.", tags: null, advice: s_seconds);
        _notifications = meter.CreateCounter<long>("apitokens.notifications.received", "{notification}", "Changes announced by other nodes (R26).");
    }

    private static readonly InstrumentAdvice<double> s_seconds = new()
    {
        HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    // A timestamp when the duration is observed, else 0 (no clock read on the hot path).
    public long Start() => _duration.Enabled ? Stopwatch.GetTimestamp() : 0;

    public void Authenticated(ApiTokenValidationStatus status, long started)
    {
        var tag = new KeyValuePair<string, object?>(ResultTag, s_results[(int)status]);
        _authentications.Add(1, tag);
        if (started != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
        }
    }

    public void CacheLookup(bool hit) => _cacheLookups.Add(1, hit ? s_hit : s_miss);

    public void NotificationReceived() => _notifications.Add(1);

    // R25: a span and a duration for a store call of the validation flow; failures tagged with their type.
    public async Task<T> TimeStoreAsync<TStore, TArg, T>(string operation, Func<TStore, TArg, Task<T>> call, TStore store, TArg argument)
        where TStore : IApiTokenStore
    {
        using var activity = Source.StartActivity("ApiTokens store " + operation, ActivityKind.Client);
        var started = _storeDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        try
        {
            var result = await call(store, argument).ConfigureAwait(false);
            StoreCompleted(operation, started, error: null);
            return result;
        }
        catch (Exception ex)
        {
            StoreCompleted(operation, started, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private void StoreCompleted(string operation, long started, Exception? error)
    {
        if (started == 0)
        {
            return;
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (error is null)
        {
            _storeDuration.Record(elapsed, new KeyValuePair<string, object?>(OperationTag, operation));
        }
        else
        {
            _storeDuration.Record(elapsed, new KeyValuePair<string, object?>(OperationTag, operation), new KeyValuePair<string, object?>("error.type", error.GetType().FullName));
        }
    }
}
