using System.Threading.Channels;
using ApiTokens.Caching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

// R26 on PostgreSQL. Two loops in one hosted service:
// - publish: ids queued by Publish (called after each durable change) are sent in batches, one
//   round trip per batch (SELECT pg_notify(channel, id) FROM unnest(ids)), on a pooled connection;
//   a failed batch is retried. Payloads are token ids only.
// - listen: one dedicated, unpooled connection per node runs LISTEN and waits; each notification
//   from another node drops the token from this node's cache (ApiTokenChangeFeed.TokenChanged).
//   Payloads are "<token id> <origin>": the origin marks this node's own announcements, skipped. When the connection
//   fails, the feed goes degraded (entries live at most DegradedCacheLifetime) and the loop
//   reconnects with back-off (100 ms doubling to MaxReconnectDelay); once LISTEN is active again the
//   feed drops every entry cached before. Keepalives notice a connection that died silently.
internal sealed partial class PostgreSqlChangeNotifier : BackgroundService, IApiTokenChangeNotifier
{
    private const int BatchSize = 256;
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(100);

    private readonly Channel<string> _outbox = Channel.CreateBounded<string>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly Func<string> _connectionString;
    private readonly ApiTokenChangeFeed _feed;
    private readonly PostgreSqlNotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _origin;
    private NpgsqlDataSource? _publisher;

    // origin: this node's mark on its announcements (NotificationOrigin), so its own echoes are skipped.
    public PostgreSqlChangeNotifier(Func<string> connectionString, ApiTokenChangeFeed feed, IOptions<PostgreSqlNotificationOptions> options, TimeProvider time, ILogger<PostgreSqlChangeNotifier> logger, string origin)
    {
        _origin = origin;
        _connectionString = connectionString;
        _feed = feed;
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = _connectionString();
        _publisher = NpgsqlDataSource.Create(connectionString);
        return Task.WhenAll(ListenAsync(connectionString, stoppingToken), PublishAsync(stoppingToken));
    }

    private async Task PublishAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(BatchSize);
        var delay = s_firstRetry;
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
                    delay = s_firstRetry;
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

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = Math.Max(1, (int)_options.KeepAlive.TotalSeconds),
            ApplicationName = "ApiTokens change listener",
        };
        var delay = s_firstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(builder.ConnectionString);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) => OnNotification(e.Payload);
                    await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                    await using (var listen = new NpgsqlCommand($"LISTEN {_options.Channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    }

                    // From here on every announcement reaches this node, so what was cached before
                    // (while announcements could be missed) is dropped.
                    _feed.Connected();
                    delay = s_firstRetry;
                    while (true)
                    {
                        await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever broke the connection (a terminated backend, a restart, a network failure, a
                // driver error), the loop must survive it: an exception escaping a BackgroundService
                // stops the host. The node serves degraded until it listens again.
                _feed.Disconnected();
                LogListenFailed(_logger, ex, delay);
            }

            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = Next(delay);
        }
    }

    // "<token id> <origin>", or a bare token id (another tool's announcement). This node's own
    // announcements are skipped: the change that sent one has already brought this node's caches up
    // to date before it returned (R18), and dropping the entry again would undo a first use's update
    // and cost every change a second store read here. Anything else on the channel is ignored, never
    // echoed into a log.
    private void OnNotification(string payload)
    {
        var tokenId = payload.AsSpan();
        var space = tokenId.IndexOf(' ');
        if (space >= 0)
        {
            if (tokenId[(space + 1)..].SequenceEqual(_origin))
            {
                return;
            }

            tokenId = tokenId[..space];
        }

        if (tokenId.Length is > 0 and <= ApiTokenOptions.MaxTokenIdLength)
        {
            _feed.TokenChanged(tokenId.ToString());
        }
    }

    private TimeSpan Next(TimeSpan delay)
    {
        var next = delay * 2;
        return next > _options.MaxReconnectDelay ? _options.MaxReconnectDelay : next;
    }

    [LoggerMessage(200, LogLevel.Warning, "Announcing {Count} API token changes to other nodes failed; retrying.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(201, LogLevel.Warning, "The API token change listener lost its PostgreSQL connection; cached tokens now live at most DegradedCacheLifetime. Reconnecting in {Delay}.")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, TimeSpan delay);
}
