using ApiTokens.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the ApiTokens store to ASP.NET Core health checks.</summary>
public static class ApiTokenHealthChecksBuilderExtensions
{
    /// <summary>The default name of the check.</summary>
    public const string DefaultName = "apitokens-store";

    /// <summary>
    /// Adds a check that the token store answers a read within <c>ApiTokenOptions.StoreTimeout</c>:
    /// Healthy when it does; <paramref name="failureStatus"/> when it fails or hangs (R20). Map it with
    /// <c>app.MapHealthChecks("/healthz")</c>: 200 when healthy, 503 otherwise.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default: <c>apitokens-store</c>.</param>
    /// <param name="failureStatus">What a failing store reports. Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddApiTokenStore(this IHealthChecksBuilder builder, string name = DefaultName, HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => ActivatorUtilities.CreateInstance<ApiTokenStoreHealthCheck>(sp),
            failureStatus,
            tags));
    }

    /// <summary>
    /// Adds a readiness check: Healthy once this node has read its most recently used tokens ahead of
    /// its first requests (<c>ApiTokenOptions.WarmUpTokens</c>), <paramref name="failureStatus"/> until
    /// then. Tag it and map it apart, for example
    /// <c>app.MapHealthChecks("/healthz/ready", new() { Predicate = c =&gt; c.Tags.Contains("ready") })</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: <c>apitokens-warm</c>.</param>
    /// <param name="failureStatus">What the check reports while warming up. Default: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags. Default: <c>ready</c>.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddApiTokenWarmUp(this IHealthChecksBuilder builder, string name = "apitokens-warm", HealthStatus failureStatus = HealthStatus.Unhealthy, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => ActivatorUtilities.CreateInstance<ApiTokenWarmUpHealthCheck>(sp),
            failureStatus,
            tags ?? ["ready"]));
    }
}
