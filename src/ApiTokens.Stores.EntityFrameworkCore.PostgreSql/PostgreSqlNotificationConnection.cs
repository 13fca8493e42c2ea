using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

// Where the notifier and the listener connect: the configured connection string, else the one of the
// store's DbContext (a context made once from its factory, whose type the store's options name), read
// when the first of them starts; and the reconnect back-off both use.
internal sealed class PostgreSqlNotificationConnection(
    IOptions<PostgreSqlNotificationOptions> notifications,
    IOptions<EntityFrameworkCoreStoreOptions> store,
    IServiceProvider services)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);

    private readonly Lazy<string> _connectionString = new(() => Read(notifications.Value, store.Value, services));

    public string ConnectionString => _connectionString.Value;

    // 100 ms doubling to MaxReconnectDelay.
    public static TimeSpan Next(TimeSpan delay, PostgreSqlNotificationOptions options)
    {
        var next = delay * 2;
        return next > options.MaxReconnectDelay ? options.MaxReconnectDelay : next;
    }

    private static string Read(PostgreSqlNotificationOptions notifications, EntityFrameworkCoreStoreOptions store, IServiceProvider services)
    {
        if (notifications.ConnectionString is { Length: > 0 } configured)
        {
            return configured;
        }

        var contextType = store.ContextType
            ?? throw new InvalidOperationException("AddPostgreSqlNotifications() needs AddEntityFrameworkCoreStore<TContext>() or PostgreSqlNotificationOptions.ConnectionString.");
        var factory = services.GetRequiredService(typeof(IDbContextFactory<>).MakeGenericType(contextType));
        using var context = (DbContext)factory.GetType().GetMethod(nameof(IDbContextFactory<DbContext>.CreateDbContext), Type.EmptyTypes)!.Invoke(factory, null)!;
        return context.Database.GetConnectionString()
            ?? throw new InvalidOperationException($"{contextType.Name} has no connection string; set PostgreSqlNotificationOptions.ConnectionString.");
    }
}
