using ApiTokens.Caching;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ApiTokens.AspNetCore.HealthChecks;

// Readiness: Healthy once the node has read its recently used tokens ahead of its first requests
// (ApiTokenOptions.WarmUpTokens), or has nothing to read; until then the failure status, so a load
// balancer sends it traffic only when its first requests are cheap.
internal sealed class ApiTokenWarmUpHealthCheck(CacheWarmer warmer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(warmer.IsWarm
            ? HealthCheckResult.Healthy("The recently used API tokens are read ahead.")
            : new HealthCheckResult(context.Registration.FailureStatus, "Reading the recently used API tokens ahead of the first requests."));
}
