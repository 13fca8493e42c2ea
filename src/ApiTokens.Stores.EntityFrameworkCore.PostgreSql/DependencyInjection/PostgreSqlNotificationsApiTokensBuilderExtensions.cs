using ApiTokens;
using ApiTokens.Stores.EntityFrameworkCore;
using ApiTokens.Stores.EntityFrameworkCore.PostgreSql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PostgreSQL change notifications for the Entity Framework Core token store.</summary>
public static class PostgreSqlNotificationsApiTokensBuilderExtensions
{
    /// <summary>
    /// Makes a change made on one node take effect on every other node within a second (R26): every
    /// change is announced with PostgreSQL <c>NOTIFY</c> — by the store in the same transaction as
    /// the change, and by the SDK after it (role changes the host reports have no transaction) — and
    /// a hosted service keeps one dedicated <c>LISTEN</c> connection per node that drops announced
    /// tokens from the cache. While that connection is down the node serves no cached entry older
    /// than <see cref="ApiTokenOptions.DegradedCacheLifetime"/>, reconnects with back-off and, once
    /// listening again, drops every entry cached before. Call after
    /// <c>AddEntityFrameworkCoreStore&lt;TContext&gt;()</c>; the connection string is the context's
    /// unless <see cref="PostgreSqlNotificationOptions.ConnectionString"/> says otherwise.
    /// </summary>
    /// <param name="builder">The ApiTokens builder.</param>
    /// <param name="configure">Configures <see cref="PostgreSqlNotificationOptions"/>.</param>
    /// <returns>The builder.</returns>
    public static ApiTokensBuilder AddPostgreSqlNotifications(this ApiTokensBuilder builder, Action<PostgreSqlNotificationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<PostgreSqlNotificationOptions>()
            .Validate(o => IsChannelName(o.Channel), "PostgreSqlNotificationOptions.Channel must be 1 to 63 lowercase letters, digits or underscores, starting with a letter.")
            .Validate(o => o.MaxReconnectDelay >= TimeSpan.FromMilliseconds(100) && o.KeepAlive >= TimeSpan.FromSeconds(1), "PostgreSqlNotificationOptions: MaxReconnectDelay must be at least 100 ms and KeepAlive at least 1 second.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // One origin per service provider (a node), shared by the store's and the notifier's announcements.
        services.TryAddSingleton<NotificationOrigin>();
        services.AddOptions<EntityFrameworkCoreStoreOptions>()
            .Configure<IOptions<PostgreSqlNotificationOptions>, NotificationOrigin>((store, notifications, origin) =>
            {
                store.NotificationChannel = notifications.Value.Channel;
                store.NotificationOrigin = origin.Value;
            });
        services.TryAddSingleton<PostgreSqlNotificationConnection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlChangeNotifier>(static sp => sp.GetRequiredService<PostgreSqlChangeNotifier>()));
        services.TryAddSingleton<PostgreSqlChangeListener>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlChangeListener>(static sp => sp.GetRequiredService<PostgreSqlChangeListener>()));
        return builder.AddChangeNotifier<PostgreSqlChangeNotifier>();
    }

    private static bool IsChannelName(string? name)
        => name is { Length: > 0 and <= 63 } && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
