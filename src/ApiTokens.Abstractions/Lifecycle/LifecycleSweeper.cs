using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Lifecycle;

// R38: runs the lifecycle sweep on every node, once at start and then every LifecycleSweepInterval,
// off the request path. Nodes sweeping together are safe: each warning is a versioned write (see
// ApiTokenManager.SweepLifecycleAsync), so the store lets one of them raise it. A store without
// IApiTokenLifecycleStore, or an interval of zero, runs nothing.
internal sealed class LifecycleSweeper(
    IServiceScopeFactory scopes,
    IOptionsMonitor<ApiTokenOptions> options,
    TimeProvider time,
    ILogger<LifecycleSweeper> logger,
    IApiTokenLifecycleStore? store = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is null)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var interval = options.CurrentValue.LifecycleSweepInterval;
                if (interval <= TimeSpan.Zero)
                {
                    return;
                }

                await OwnThread.RunAsync(() => SweepOnceAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task SweepOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().SweepLifecycleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.LifecycleSweepFailed(logger, ex);
        }
    }
}
