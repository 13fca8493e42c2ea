using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiTokens.LastUse;

// R22: writes the collected last-use times once per LastUsedGranularity, off the request path, and
// once more when the host stops.
internal sealed class LastUseFlusher : BackgroundService
{
    private static readonly TimeSpan s_offPoll = TimeSpan.FromSeconds(1);

    private readonly LastUseRecorder _recorder;
    private readonly ApiTokens.Usage.UsageRecorder _usage;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;
    private readonly TimeProvider _time;

    public LastUseFlusher(LastUseRecorder recorder, ApiTokens.Usage.UsageRecorder usage, IOptionsMonitor<ApiTokenOptions> options, TimeProvider time)
    {
        _recorder = recorder;
        _usage = usage;
        _options = options;
        _time = time;
    }

    private PeriodicTimer? _timer;

    // The schedule starts with the host, not whenever the background thread gets to ExecuteAsync.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(PeriodOf(_options.CurrentValue), _time);
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
            await _recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
            await _usage.FlushAsync(cancellationToken).ConfigureAwait(false);
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
                var options = _options.CurrentValue;
                if (timer.Period != PeriodOf(options))
                {
                    timer.Period = PeriodOf(options);
                }

                if (options.LastUsedGranularity != TimeSpan.Zero)
                {
                    await _recorder.FlushAsync(stoppingToken).ConfigureAwait(false);
                    await _usage.FlushAsync(stoppingToken).ConfigureAwait(false);
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
