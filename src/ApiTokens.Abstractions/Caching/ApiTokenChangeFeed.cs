using ApiTokens.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Caching;

/// <summary>
/// The receiving side of cross-node changes (R26): a change notifier's listener reports here what
/// other nodes announced, and whether its channel is up. A singleton, registered by
/// <c>AddApiTokens()</c>; implementations of <see cref="IApiTokenChangeNotifier"/> resolve it.
/// </summary>
/// <remarks>
/// <para>
/// While the channel is down — including from start-up until it first connects, when a notifier is
/// registered — this node serves no cached entry older than
/// <see cref="ApiTokenOptions.DegradedCacheLifetime"/>, so a missed announcement cannot outlive that
/// bound. When the channel (re)connects, every entry cached before is dropped: announcements sent
/// while it was down are lost, and the entries they were about must not survive.
/// </para>
/// <para>Without a registered notifier the channel counts as up and the cache keeps its usual lifetime.</para>
/// </remarks>
public sealed class ApiTokenChangeFeed
{
    private readonly ApiTokenCache _cache;
    private readonly IApiTokenChangeListener[] _listeners;
    private readonly ApiTokenInstruments _instruments;
    private readonly ILogger _logger;
    private int _connected;

    // What arrives from other nodes goes to the listeners only: announcing it again would echo it
    // forever. With a notifier registered the channel counts as down until its listener connects.
    internal ApiTokenChangeFeed(ApiTokenCache cache, IEnumerable<IApiTokenChangeListener> listeners, IEnumerable<IApiTokenChangeNotifier> notifiers, ApiTokenInstruments instruments, ILogger<ApiTokenChangeFeed> logger)
    {
        _instruments = instruments;
        _cache = cache;
        _listeners = [.. listeners];
        _logger = logger;
        _connected = notifiers.Any() ? 0 : 1;
    }

    /// <summary>Whether the notification channel is up (always, when no notifier is registered).</summary>
    public bool IsConnected => Volatile.Read(ref _connected) == 1;

    /// <summary>Another node changed a token: drops it from this node's caches (every <see cref="IApiTokenChangeListener"/>).</summary>
    /// <param name="tokenId">The id of the token.</param>
    public void TokenChanged(string tokenId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        _instruments.NotificationReceived();
        foreach (var listener in _listeners)
        {
            listener.OnTokenChanged(tokenId);
        }
    }

    /// <summary>The channel is up (again): every entry cached before is dropped, and entries live their usual lifetime.</summary>
    public void Connected()
    {
        Volatile.Write(ref _connected, 1);
        _cache.Restart(degraded: false);
        Log.ChangeChannelConnected(_logger);
    }

    /// <summary>The channel is down: from now on no cached entry older than <see cref="ApiTokenOptions.DegradedCacheLifetime"/> is served.</summary>
    public void Disconnected()
    {
        if (Interlocked.Exchange(ref _connected, 0) == 1)
        {
            _cache.Restart(degraded: true);
            Log.ChangeChannelDisconnected(_logger);
        }
    }
}
