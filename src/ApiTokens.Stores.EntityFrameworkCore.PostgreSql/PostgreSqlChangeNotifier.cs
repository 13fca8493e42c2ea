using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

// R26 on PostgreSQL, the sending side: ids queued by Publish (called after each durable change) are
// sent in batches, one round trip per batch (SELECT pg_notify(channel, id) FROM unnest(ids)), on a
// pooled connection; a failed batch is retried. Payloads are "<token id> <origin>": the origin marks
// this node's own announcements, which its listener skips (PostgreSqlChangeListener).
internal sealed partial class PostgreSqlChangeNotifier : BackgroundService, IApiTokenChangeNotifier
{
    private const int BatchSize = 256;

    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly PostgreSqlNotificationConnection _connection;
    private readonly PostgreSqlNotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _origin;
    private NpgsqlDataSource? _publisher;

    // origin: this node's mark on its announcements, so its own echoes are skipped.
    public PostgreSqlChangeNotifier(PostgreSqlNotificationConnection connection, IOptions<PostgreSqlNotificationOptions> options, TimeProvider time, ILogger<PostgreSqlChangeNotifier> logger, NotificationOrigin origin)
    {
        _origin = origin.Value;
        _connection = connection;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public void Publish(string tokenId) => _outbox.Writer.TryWrite(tokenId);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _outbox.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_publisher is not null)
        {
            await _publisher.DisposeAsync().ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _publisher = NpgsqlDataSource.Create(_connection.ConnectionString);
        var batch = new List<string>(BatchSize);
        var delay = PostgreSqlNotificationConnection.FirstRetry;
        try
        {
            // Drains what is queued on shutdown too: the writer completes, the reader runs dry.
            while (await _outbox.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batch.Count < BatchSize && _outbox.Reader.TryRead(out var id))
                {
                    batch.Add(id);
                }

                try
                {
                    await using var command = _publisher!.CreateCommand("SELECT pg_notify($1, id) FROM unnest($2::text[]) AS t(id)");
                    command.Parameters.Add(new NpgsqlParameter { Value = _options.Channel });
                    command.Parameters.Add(new NpgsqlParameter { Value = batch.Distinct(StringComparer.Ordinal).Select(id => id + " " + _origin).ToArray() });
                    await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                    batch.Clear();
                    delay = PostgreSqlNotificationConnection.FirstRetry;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Never fatal: a lost announcement is bounded by CacheLifetime on the other nodes.
                    LogPublishFailed(_logger, ex, batch.Count);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        return;
                    }

                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                    delay = Next(delay);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private TimeSpan Next(TimeSpan delay) => PostgreSqlNotificationConnection.Next(delay, _options);

    [LoggerMessage(200, LogLevel.Warning, "Announcing {Count} API token changes to other nodes failed; retrying.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);

}
