using ApiTokens.Caching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

// R26 on PostgreSQL, the receiving side: one dedicated, unpooled connection per node runs LISTEN and
// waits; each notification from another node drops the token from this node's cache
// (ApiTokenChangeFeed.TokenChanged). When the connection fails, the feed goes degraded (entries live
// at most DegradedCacheLifetime) and the loop reconnects with back-off (100 ms doubling to
// MaxReconnectDelay); once LISTEN is active again the feed drops every entry cached before.
// Keepalives notice a connection that died silently.
internal sealed partial class PostgreSqlChangeListener(
    PostgreSqlNotificationConnection connection,
    ApiTokenChangeFeed feed,
    IOptions<PostgreSqlNotificationOptions> options,
    TimeProvider time,
    ILogger<PostgreSqlChangeListener> logger,
    NotificationOrigin origin) : BackgroundService
{
    private readonly PostgreSqlNotificationOptions _options = options.Value;
    private readonly string _origin = origin.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => ListenAsync(connection.ConnectionString, stoppingToken);

    private async Task ListenAsync(string connectionString, CancellationToken stoppingToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = Math.Max(1, (int)_options.KeepAlive.TotalSeconds),
            ApplicationName = "ApiTokens change listener",
        };
        var delay = PostgreSqlNotificationConnection.FirstRetry;
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
                    feed.Connected();
                    delay = PostgreSqlNotificationConnection.FirstRetry;
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
                feed.Disconnected();
                LogListenFailed(logger, ex, delay);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = PostgreSqlNotificationConnection.Next(delay, _options);
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
            feed.TokenChanged(tokenId.ToString());
        }
    }

    [LoggerMessage(201, LogLevel.Warning, "The API token change listener lost its PostgreSQL connection; cached tokens now live at most DegradedCacheLifetime. Reconnecting in {Delay}.")]
    private static partial void LogListenFailed(ILogger logger, Exception exception, TimeSpan delay);
}
