using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.HealthChecks;

// Healthy when the token store answers a read within StoreTimeout: the same question a cache miss
// asks (a lookup by id that finds nothing), so a database that is down, unreachable or hanging makes
// it Unhealthy. Reports the failure's type only: store messages are ours, but a driver's inner
// exception may quote a connection string.
internal sealed class ApiTokenStoreHealthCheck : IHealthCheck
{
    private const string ProbeId = "apitokens-health-probe";

    private readonly IServiceScopeFactory _scopes;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;

    public ApiTokenStoreHealthCheck(IServiceScopeFactory scopes, IOptionsMonitor<ApiTokenOptions> options, TimeProvider time)
    {
        _scopes = scopes;
        _options = options;
        _time = time;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var timeout = _options.CurrentValue.StoreTimeout;
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
                await store.FindByIdAsync(ProbeId, cancellationToken).WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            }

            return HealthCheckResult.Healthy("The API token store answers.");
        }
        catch (TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The API token store did not answer within {timeout.TotalSeconds:0.###} s.");
        }
        catch (ApiTokenStoreException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The API token store failed: " + (ex.InnerException?.GetType().Name ?? nameof(ApiTokenStoreException)) + ".");
        }
    }
}
