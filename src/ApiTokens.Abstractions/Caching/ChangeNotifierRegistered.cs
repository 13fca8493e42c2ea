namespace ApiTokens.Caching;

// Registered by AddChangeNotifier: the cache starts degraded and the feed disconnected until the
// notifier's channel connects (R26). A marker, so neither has to resolve the notifiers (which
// themselves depend on the feed).
internal sealed class ChangeNotifierRegistered;
