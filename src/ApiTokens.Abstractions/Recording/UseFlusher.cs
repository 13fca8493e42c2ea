using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiTokens.Recording;

// R22, R35: writes what UseRecorder collected once per LastUsedGranularity, off the request path,
// and once more when the host stops.
internal sealed class UseFlusher(UseRecorder recorder, IOptionsMonitor<ApiTokenOptions> options, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan s_offPoll = TimeSpan.FromSeconds(1);

    private PeriodicTimer? _timer;

    // The schedule starts with the host, not whenever the background thread gets to ExecuteAsync.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(PeriodOf(options.CurrentValue), time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // The last batch: attempted within the host's shutdown timeout.
        try
        {
            await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A periodic timer keeps its schedule however long a flush takes; a reload of the options
        // changes its period.
        var timer = _timer!;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var current = options.CurrentValue;
                if (timer.Period != PeriodOf(current))
                {
                    timer.Period = PeriodOf(current);
                }

                if (current.LastUsedGranularity != TimeSpan.Zero)
                {
                    await OwnThread.RunAsync(() => recorder.FlushAsync(stoppingToken), stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan PeriodOf(ApiTokenOptions options)
        => options.LastUsedGranularity == TimeSpan.Zero ? s_offPoll : options.LastUsedGranularity;
}
