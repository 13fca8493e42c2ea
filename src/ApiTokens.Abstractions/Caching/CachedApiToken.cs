using ApiTokens.Recording;
using ApiTokens.Validation;

namespace ApiTokens.Caching;

// What the cache holds for one token: only what judging a request needs (id, account, owner, type,
// effective privilege, version, default state and the apps' names and states), a UseSlot per app
// that requests presented (its shared success result, last use and counts), and the in-flight
// recordings of new apps. Holds no secret, no hash,
// and not the token as the store returned it: its description, creator, hint, hashes and audit
// fields would be most of the entry's memory (benchmarks/README.md, section 4).
internal sealed class CachedApiToken
{
    private const int IndexThreshold = 8;

    // The recorded apps, found by a linear scan of the array up to IndexThreshold apps and through a
    // dictionary of their positions beyond it.
    private readonly RecordedApp[]? _apps;
    private readonly Dictionary<string, int>? _appIndex;
    // The pairs' slots, by the app's position: the first app's in a field of its own (most tokens
    // serve one app), the others' in an array made when a second app is first used. Not a
    // dictionary by name: the hit has found the position already, and a ConcurrentDictionary cost
    // hundreds of bytes per cached token and a second hashing of the name on every hit.
    private UseSlot? _firstSlot;
    private UseSlot?[]? _moreSlots;
    private Coalescer<string, ApiTokenValidationResult>? _recordings;
    private volatile bool _invalidated;
    private int _refreshing;
    private CacheKey? _cacheKey;
    private long _expiresAt;
    private long _refreshAt;

    public CachedApiToken(ApiTokenLookup lookup, long expiresAt, long refreshAt = long.MaxValue, SharedStrings? strings = null, TokenRateLimiter? limiter = null)
        : this(lookup.Token, lookup.EffectivePrivilege, lookup.PreviousSecret ? lookup.Token.PreviousSecretExpiresAt : null, expiresAt, refreshAt, strings, limiter)
    {
        EndsPreviousSecret = lookup.EndsPreviousSecret;
    }

    // previousSecretExpiresAt: the entry is for a rotated token's previous secret, which works until then.
    // strings: shares the account, owner and app names with other cached entries.
    // limiter: the node's rate limiter of the token (R34), shared by all its entries.
    public CachedApiToken(ApiToken token, TokenPrivilege effectivePrivilege, DateTimeOffset? previousSecretExpiresAt, long expiresAt, long refreshAt = long.MaxValue, SharedStrings? strings = null, TokenRateLimiter? limiter = null)
    {
        TokenId = token.Id;
        CreatedAt = token.CreatedAt;
        TokenExpiresAt = token.ExpiresAt;
        Networks = ApiTokenNetworks.Compile(token.AllowedNetworks);
        Scopes = token.Scopes.Count == 0 ? [] : [.. token.Scopes];
        Limiter = limiter;
        Restricted = Networks is not null || limiter is not null;
        Type = token.Type;
        AccountId = strings?.Share(token.AccountId) ?? token.AccountId;
        OwnerId = strings?.ShareOrNull(token.OwnerId) ?? token.OwnerId;
        DefaultAppState = token.DefaultAppState;
        Version = token.Version;
        EffectivePrivilege = effectivePrivilege;
        PreviousSecretExpiresAt = previousSecretExpiresAt;
        _expiresAt = expiresAt;
        _refreshAt = refreshAt;
        IndexKey = previousSecretExpiresAt is not null ? PreviousSecretKey(token.Id) : token.Id;
        var apps = token.Apps;
        AppCount = apps.Count;
        if (apps.Count > 0)
        {
            _apps = new RecordedApp[apps.Count];
            for (var i = 0; i < apps.Count; i++)
            {
                _apps[i] = new RecordedApp(strings?.Share(apps[i].Name) ?? apps[i].Name, apps[i].State);
            }

            if (apps.Count > IndexThreshold)
            {
                _appIndex = new Dictionary<string, int>(apps.Count, StringComparer.Ordinal);
                for (var i = 0; i < _apps.Length; i++)
                {
                    _appIndex[_apps[i].Name] = i;
                }
            }
        }
    }

    public string TokenId { get; }

    // R39: this is a self-rotating token's new secret and its previous one still works; the first
    // allowed request through this entry ends it (TryClaimPreviousSecretEnd, once per entry).
    public bool EndsPreviousSecret { get; }

    private int _previousSecretEndClaimed;

    // A plain read first: once claimed, later hits through the entry do no interlocked write.
    public bool TryClaimPreviousSecretEnd() => Volatile.Read(ref _previousSecretEndClaimed) == 0 && Interlocked.Exchange(ref _previousSecretEndClaimed, 1) == 0;

    public DateTimeOffset CreatedAt { get; }

    // The token's own expiry (R21), for introspection's "exp"; not the entry's.
    public DateTimeOffset? TokenExpiresAt { get; }

    // R42: the token's scopes, judged on the hit by ApiTokenScopes.Grants; empty when unscoped.
    public string[] Scopes { get; }

    // R33: the token's networks, parsed once when the entry is built; null for any address.
    public CompiledNetwork[]? Networks { get; }

    // R34: the node's limiter of the token; null without a limit.
    public TokenRateLimiter? Limiter { get; }

    // Whether a request must pass Networks or Limiter: one branch on the hit when neither applies.
    public bool Restricted { get; }

    // The minute (Unix) of the last refusal that was audited, so an owner sees one record per
    // minute, not one per refused request.
    public long LastRefusalAuditMinute;

    public TokenType Type { get; }

    public string AccountId { get; }

    public string? OwnerId { get; }

    public AppState DefaultAppState { get; }

    public long Version { get; }

    public TokenPrivilege EffectivePrivilege { get; }

    // Whether the entry is for a rotated token's previous secret (R23), and until when that works.
    public bool PreviousSecret => PreviousSecretExpiresAt is not null;

    public DateTimeOffset? PreviousSecretExpiresAt { get; }

    public int AppCount { get; }

    // The entry's key in the MemoryCache, set once it is stored there (ApiTokenCache's index sweep).
    public CacheKey? CacheKey
    {
        get => Volatile.Read(ref _cacheKey);
        set => Volatile.Write(ref _cacheKey, value);
    }

    // The entry's key among the cached entries by token: a rotated token in its grace period may be
    // cached twice, once per secret (R23), and neither entry may push out the other.
    public string IndexKey { get; }

    // In TimeProvider timestamp units; moved forward when a refresh finds the token unchanged.
    public long ExpiresAt => Volatile.Read(ref _expiresAt);

    // From here on a hit starts a reload in the background (refresh-ahead), in TimeProvider
    // timestamp units; long.MaxValue when the entry ends for good (expiry, grace).
    public long RefreshAt => Volatile.Read(ref _refreshAt);

    public bool IsInvalidated => _invalidated;

    // The first caller past RefreshAt wins the one refresh of this entry.
    public bool TryBeginRefresh() => Interlocked.Exchange(ref _refreshing, 1) == 0;

    // Whether a fresh lookup would build an entry equal to this one: every change to a token bumps
    // its version (a use does not), and the effective privilege also follows the owner's role (R15).
    public bool Matches(ApiTokenLookup lookup)
        => lookup.Token.Version == Version
            && string.Equals(lookup.Token.Id, TokenId, StringComparison.Ordinal)
            && lookup.EffectivePrivilege == EffectivePrivilege
            && lookup.PreviousSecret == PreviousSecret
            && (!lookup.PreviousSecret || lookup.Token.PreviousSecretExpiresAt == PreviousSecretExpiresAt);

    // A refresh found the token unchanged: the entry lives on, to be refreshed again.
    public void Extend(long expiresAt, long refreshAt)
    {
        Volatile.Write(ref _expiresAt, expiresAt);
        Volatile.Write(ref _refreshAt, refreshAt);
        Volatile.Write(ref _refreshing, 0);
    }

    public void Invalidate() => _invalidated = true;

    // index: the app's position, for GetSlot.
    public bool TryFindApp(string appName, out AppState state, out int index)
    {
        var apps = _apps;
        if (apps is not null)
        {
            if (_appIndex is not null)
            {
                if (_appIndex.TryGetValue(appName, out index))
                {
                    state = apps[index].State;
                    return true;
                }
            }
            else
            {
                for (var i = 0; i < apps.Length; i++)
                {
                    if (string.Equals(apps[i].Name, appName, StringComparison.Ordinal))
                    {
                        state = apps[i].State;
                        index = i;
                        return true;
                    }
                }
            }
        }

        state = default;
        index = -1;
        return false;
    }

    public static string PreviousSecretKey(string tokenId) => tokenId + "\u0000previous";

    // The slot of the app at `index` (from TryFindApp), made on its first request and shared by every
    // later one: a cache hit allocates nothing here. Racing first requests may each build one; the
    // first stored wins, the others are garbage.
    public UseSlot GetSlot(int index)
    {
        if (index == 0)
        {
            return Volatile.Read(ref _firstSlot) ?? Publish(ref _firstSlot, new UseSlot(this, _apps![0].Name));
        }

        var more = Volatile.Read(ref _moreSlots) ?? Publish(ref _moreSlots, new UseSlot?[_apps!.Length - 1]);
        return Volatile.Read(ref more[index - 1]) ?? Publish(ref more[index - 1], new UseSlot(this, _apps![index].Name));
    }

    private static T Publish<T>(ref T? slot, T created)
        where T : class
        => Interlocked.CompareExchange(ref slot, created, null) ?? created;

    // Concurrent first uses of one new app on this node share one store call (R19). A recording that
    // did not record (the store failed, or the token filled up meanwhile) is forgotten, so the next
    // request tries again and refused names cannot pile up here; one that recorded stays, because
    // this entry has just been replaced and its late readers should share the result rather than
    // write again.
    public Task<ApiTokenValidationResult> RecordAppAsync(string appName, AppRecorder recorder)
    {
        var recordings = Volatile.Read(ref _recordings) ?? Interlocked.CompareExchange(ref _recordings, new(StringComparer.Ordinal), null) ?? _recordings!;
        return recordings.RunAsync(
            appName,
            static (name, state) => state.recorder.RecordAsync(state.self, name),
            (self: this, recorder),
            static result => result.Status != ApiTokenValidationStatus.TooManyApps);
    }

    private readonly record struct RecordedApp(string Name, AppState State);
}
