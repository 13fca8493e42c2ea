namespace ApiTokens.Caching;

// The one path a change made on this node takes once it is durable (R18, R26): every change
// listener of this node at once — the validation cache among them — then the other nodes through
// the change notifiers. The manager and the validator both announce through it. (What other nodes
// announce arrives through ApiTokenChangeFeed and goes to the listeners only: announcing it again
// would echo it forever.)
internal sealed class ApiTokenChanges
{
    private readonly IApiTokenChangeListener[] _listeners;
    private readonly IApiTokenChangeNotifier[] _notifiers;

    public ApiTokenChanges(IEnumerable<IApiTokenChangeListener> listeners, IEnumerable<IApiTokenChangeNotifier> notifiers)
    {
        _listeners = [.. listeners];
        _notifiers = [.. notifiers];
    }

    // A change made on this node. applied: a listener that has already brought itself up to date
    // (the cache, after a first use it recorded itself) and must not drop what it just stored.
    public void Changed(string tokenId, IApiTokenChangeListener? applied = null)
    {
        foreach (var listener in _listeners)
        {
            if (!ReferenceEquals(listener, applied))
            {
                listener.OnTokenChanged(tokenId);
            }
        }

        foreach (var notifier in _notifiers)
        {
            notifier.Publish(tokenId);
        }
    }
}
