using System.Collections.Concurrent;
using ApiTokens.Validation;

namespace ApiTokens.Caching;

// What the cache holds for one token: the looked-up token with its effective privilege, the shared
// success result of each allowed app, and the in-flight recordings of new apps. Holds no secret.
internal sealed class CachedApiToken
{
    private const int IndexThreshold = 8;

    private readonly Dictionary<string, TokenApp>? _appIndex;
    // Most tokens serve one app: its result gets a slot of its own, and the dictionary exists only
    // once a second app shows up (a ConcurrentDictionary costs hundreds of bytes per cached token).
    private AppUse? _firstUse;
    private ConcurrentDictionary<string, AppUse>? _moreUses;
    private ConcurrentDictionary<string, Lazy<Task<ApiTokenValidationResult>>>? _recordings;
    private volatile bool _invalidated;
    private int _refreshing;

    public CachedApiToken(ApiTokenLookup lookup, long expiresAt, long refreshAt = long.MaxValue)
    {
        Lookup = lookup;
        ExpiresAt = expiresAt;
        RefreshAt = refreshAt;
        IndexKey = lookup.PreviousSecret ? PreviousSecretKey(lookup.Token.Id) : lookup.Token.Id;
        var apps = lookup.Token.Apps;
        if (apps.Count > IndexThreshold)
        {
            _appIndex = new Dictionary<string, TokenApp>(apps.Count, StringComparer.Ordinal);
            foreach (var app in apps)
            {
                _appIndex[app.Name] = app;
            }
        }
    }

    public ApiTokenLookup Lookup { get; }

    // The entry's key among the cached entries by token: a rotated token in its grace period may be
    // cached twice, once per secret (R23), and neither entry may push out the other.
    public string IndexKey { get; }

    // In TimeProvider timestamp units.
    public long ExpiresAt { get; }

    // From here on a hit starts a reload in the background (refresh-ahead), in TimeProvider
    // timestamp units; long.MaxValue when the entry ends for good (expiry, grace).
    public long RefreshAt { get; }

    public bool IsInvalidated => _invalidated;

    // The first caller past RefreshAt wins the one refresh of this entry.
    public bool TryBeginRefresh() => Interlocked.Exchange(ref _refreshing, 1) == 0;

    public void Invalidate() => _invalidated = true;

    public TokenApp? FindApp(string appName)
    {
        if (_appIndex is not null)
        {
            return _appIndex.TryGetValue(appName, out var app) ? app : null;
        }

        return Lookup.Token.FindApp(appName);
    }

    public static string PreviousSecretKey(string tokenId) => tokenId + "\u0000previous";

    // The success of an allowed app and its last-use slot, built once and shared by every request
    // that presents the pair: a cache hit allocates nothing here.
    public AppUse GetUse(string appName)
    {
        var first = Volatile.Read(ref _firstUse);
        if (first is not null && string.Equals(first.AppName, appName, StringComparison.Ordinal))
        {
            return first;
        }

        if (first is null)
        {
            // Racing requests may each build one; the first stored wins, the others are garbage.
            var created = CreateUse(appName);
            first = Interlocked.CompareExchange(ref _firstUse, created, null) ?? created;
            if (string.Equals(first.AppName, appName, StringComparison.Ordinal))
            {
                return first;
            }
        }

        var more = _moreUses ?? Interlocked.CompareExchange(ref _moreUses, new(StringComparer.Ordinal), null) ?? _moreUses!;
        return more.GetOrAdd(appName, static (name, self) => self.CreateUse(name), this);
    }

    // Concurrent first uses of one new app on this node share one store call (R19). A recording that
    // did not record (the store failed, or the token filled up meanwhile) is forgotten, so the next
    // request tries again and refused names cannot pile up here; one that recorded stays, because
    // the entry it belongs to has just been invalidated and late readers of it should share it.
    public async Task<ApiTokenValidationResult> RecordAppAsync(string appName, Func<ApiTokenLookup, string, Task<ApiTokenValidationResult>> record)
    {
        var recordings = _recordings ?? Interlocked.CompareExchange(ref _recordings, new(StringComparer.Ordinal), null) ?? _recordings!;
        var lazy = recordings.GetOrAdd(
            appName,
            static (name, state) => new Lazy<Task<ApiTokenValidationResult>>(() => state.record(state.self.Lookup, name)),
            (self: this, record));
        var recorded = false;
        try
        {
            var result = await lazy.Value.ConfigureAwait(false);
            recorded = result.Status != ApiTokenValidationStatus.TooManyApps;
            return result;
        }
        finally
        {
            if (!recorded)
            {
                recordings.TryRemove(new KeyValuePair<string, Lazy<Task<ApiTokenValidationResult>>>(appName, lazy));
            }
        }
    }

    private AppUse CreateUse(string appName)
        => new(
            ApiTokenValidationResult.Success(new ValidatedApiToken(Lookup.Token, Lookup.EffectivePrivilege, appName)),
            Lookup.PreviousSecret,
            Lookup.PreviousSecret ? Lookup.Token.PreviousSecretExpiresAt : null);
}
