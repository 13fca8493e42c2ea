namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

/// <summary>Options of the PostgreSQL change notifications (R26).</summary>
public sealed class PostgreSqlNotificationOptions
{
    /// <summary>
    /// The connection string of the database the nodes share. Default: <see langword="null"/>, the
    /// connection string of the store's <c>DbContext</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>The <c>LISTEN</c>/<c>NOTIFY</c> channel: a PostgreSQL identifier of lowercase letters, digits and underscores. Default: <c>apitokens_changes</c>.</summary>
    public string Channel { get; set; } = "apitokens_changes";

    /// <summary>The longest wait between two attempts to reconnect the listening connection (it starts at 100 ms and doubles). Default: 5 seconds.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the idle listening connection is checked, so a connection that died silently (a
    /// network partition) is noticed: the node then serves no cached entry older than
    /// <see cref="ApiTokenOptions.DegradedCacheLifetime"/>. Default: 1 second; whole seconds, at least 1.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(1);
}
