namespace ApiTokens.Diagnostics;

/// <summary>
/// The names of the ApiTokens <see cref="System.Diagnostics.Metrics.Meter"/> and
/// <see cref="System.Diagnostics.ActivitySource"/> (R25), for OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(ApiTokensTelemetry.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(ApiTokensTelemetry.ActivitySourceName))</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>apitokens.authentication.count</c> and <c>apitokens.authentication.duration</c>
/// (seconds) by <c>apitokens.result</c>; <c>apitokens.cache.lookups</c> by <c>apitokens.cache.hit</c>;
/// <c>apitokens.store.duration</c> (seconds) by <c>apitokens.store.operation</c> and, on failure,
/// <c>error.type</c>; <c>apitokens.notifications.received</c>. Spans cover cache misses and store calls
/// only, never a cache hit. No tag holds a secret, a hash, a token id, an app name or an account id.
/// </remarks>
public static class ApiTokensTelemetry
{
    /// <summary>The meter's name: <c>ApiTokens</c>.</summary>
    public const string MeterName = "ApiTokens";

    /// <summary>The activity source's name: <c>ApiTokens</c>.</summary>
    public const string ActivitySourceName = "ApiTokens";
}
