using ApiTokens.Secrets;
using ApiTokens.Validation;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Caching;

// The hot-path cache of the validation flow, one per application, shared by every transport: the
// one entry point to the parts that each do one job.
//
//   CacheKeys        secret → key (a keyed BLAKE3; the cache never holds a secret)
//   CacheGeneration  the settings and the storage built from them, swapped as a whole
//   TokenIndex       token id → its entries, so a change finds them (R18)
//   ChangeStamp      the race guard: a read that overlaps a change is never cached (R18, R26)
//   Coalescer        concurrent misses of one secret share one store read
//   RefreshAhead     hot entries reloaded before they expire, in batches
//   CachedApiToken   one entry: what judging a request needs, no secret, no hash
//
// What it reads comes from TokenLookup, called directly: a miss (LoadAsync) and a batch of reloads
// (RefreshBatchAsync) are the cache's own calls, start to end.
//
// The rules it keeps:
// - R18 on this node: a change (OnTokenChanged) advances the stamp, then invalidates and unindexes
//   the token's entries before the change returns; an invalidated entry is never served, extended or
//   replaced. On other nodes: an entry lives at most CacheLifetime, counted from when its store read
//   began (EntryExpiry), or DegradedCacheLifetime while the R26 channel is down (Restart).
// - R21/R23: an entry never outlives the moment its secret stops authenticating (EntryExpiry).
// - A node's own first use of an app updates the token's entry in place (TryTakeFirstUse) instead of
//   dropping it, when that write is the only change since the entry's token was read.
internal sealed partial class ApiTokenCache : IApiTokenChangeListener, IDisposable
{
    private readonly CacheKeys _keys = new();
    private readonly ChangeStamp _stamp = new();
    private readonly Coalescer<UInt128, CachedApiToken?> _loads = new();
    private readonly TimeProvider _time;
    private readonly IDisposable? _onChange;
    private readonly Lock _swapLock = new();
    private readonly SharedStrings _strings = new();
    private readonly RefreshAhead _refreshes;
    private readonly RateLimiters _limiters;
    private readonly TokenLookup _lookup;
    private volatile CacheGeneration _current;
    private ApiTokenOptions _options;
    private bool _degraded;

    // With a change notifier registered, the cross-node channel counts as down until it connects (R26):
    // the cache starts degraded.
    public ApiTokenCache(IOptionsMonitor<ApiTokenOptions> options, TimeProvider time, TokenLookup lookup, IEnumerable<IApiTokenChangeNotifier> notifiers, ILogger<ApiTokenCache> logger)
    {
        _time = time;
        _lookup = lookup;
        _limiters = new RateLimiters(options, time);
        _options = options.CurrentValue;
        _degraded = notifiers.Any();
        _current = new CacheGeneration(_options, _degraded, time);
        _refreshes = new RefreshAhead(time, RefreshBatchAsync, logger);
        _onChange = options.OnChange((o, name) =>
        {
            if (string.IsNullOrEmpty(name))
            {
                Reconfigure(o);
            }
        });
    }

    public long Count => _current.Cache.Count;

    // Entries indexed by token id (tests: the index stays bounded by the cache).
    internal int IndexCount => _current.Index.Count;

    public TimeSpan Lifetime => _current.Lifetime;

    public long SizeLimit => _current.SizeLimit;

    // Tests: every live cached entry can be found by its token id, so a change reaches it (R18).
    internal bool IndexCoversCache() => _current.Index.Covers(_current.Cache);

    public bool TryComputeKey(ReadOnlySpan<char> secret, out UInt128 key) => _keys.TryCompute(secret, out key);

    // The hit. refresh: the entry is past its refresh point, so the caller should queue a reload
    // (QueueRefresh) while serving it.
    public CachedApiToken? TryGet(UInt128 key, out bool refresh)
    {
        refresh = false;
        var generation = _current;
        if (!generation.Enabled || !generation.Cache.TryGetValue(CacheKey.Probe(key), out var value))
        {
            return null;
        }

        var entry = (CachedApiToken)value!;
        var now = _time.GetTimestamp();
        if (entry.IsInvalidated || now >= entry.ExpiresAt)
        {
            return null;
        }

        refresh = now >= entry.RefreshAt;
        return entry;
    }

    // The miss: concurrent misses for one secret share one store read.
    public Task<CachedApiToken?> LoadAsync(UInt128 key, string secret)
        => _loads.RunAsync(key, static (k, s) => s.self.LoadCoreAsync(k, s.secret), (self: this, secret));

    // A hit past its entry's refresh point: the entry is reloaded off the request, once (the first
    // caller wins), queued with others so that one store call reloads a batch. Queued, not started
    // here: a store whose reads complete synchronously (Microsoft.Data.Sqlite under EF) would
    // otherwise make this request wait for the whole read. The queue holds the store's hash of the
    // secret, never the secret.
    public void QueueRefresh(UInt128 key, CachedApiToken entry, string secret)
    {
        if (entry.TryBeginRefresh())
        {
            _refreshes.Enqueue(new PendingRefresh(key, entry, ApiTokenSecretCodec.Hash(secret)), _current.RefreshBatchDelay);
        }
    }

    // R18: a change of the token on this node or another.
    public void OnTokenChanged(string tokenId)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        AdvanceAndForgetWarm(tokenId);
        _current.Index.Invalidate(tokenId);
    }

    // Taken before a write whose result TryTakeFirstUse may take in.
    public long ReadStamp() => _stamp.Read();

    // This node recorded a new app under the token of `entry` (R8), and the store answered `stored`
    // with only that app added (its version one on). The entry is replaced by one holding the app,
    // under the same key and for the rest of the old entry's lifetime (its owner's role was read with
    // it), so the token's next request is a hit, not a second store read. Only when the write is the
    // only change this node has seen since `stamp` (taken before the write): otherwise null, and the
    // caller drops the token's entries as for any change. The token's other entry (the other secret
    // of a rotated token) lacks the app, so it is dropped.
    //
    // Why it is safe (R18): the stamp moves from `stamp` to `stamp + 1` only if nothing else moved it,
    // so a change that landed after the write but before this call keeps the new entry out; the new
    // entry is indexed before it is cached, so a change after that finds and invalidates it; and a
    // change between the two moves the stamp, which the last check sees.
    public CachedApiToken? TryTakeFirstUse(CachedApiToken entry, ApiToken stored, long stamp)
    {
        var generation = _current;
        if (!generation.Enabled || entry.CacheKey is not { } cacheKey || entry.IsInvalidated || !_stamp.TryAdvanceFrom(stamp))
        {
            return null;
        }

        var taken = new CachedApiToken(stored, entry.EffectivePrivilege, entry.PreviousSecretExpiresAt, entry.ExpiresAt, entry.RefreshAt, _strings, _limiters.For(stored));
        generation.Index.Invalidate(stored.Id);
        entry.Invalidate();
        generation.Index.Put(taken);
        generation.Cache.Set(cacheKey, taken, generation.EntryOptions);
        taken.CacheKey = cacheKey;
        if (!_stamp.Unchanged(stamp + 1))
        {
            taken.Invalidate();
            generation.Index.Remove(taken);
            return null;
        }

        return taken;
    }

    // R34: the node's limiter of a token, shared by all its entries.
    public TokenRateLimiter? LimiterFor(ApiToken token) => _limiters.For(token);

    public void Dispose()
    {
        _onChange?.Dispose();
        _refreshes.Dispose();
        _limiters.Dispose();
        _current.Cache.Dispose();
    }

    // R26: the cross-node channel went down (degraded: entries live at most DegradedCacheLifetime)
    // or came up (usual lifetime). Either way every entry cached before is dropped: while down,
    // older entries must not be served; after it, announcements missed while down are unknowable.
    public void Restart(bool degraded)
    {
        lock (_swapLock)
        {
            _degraded = degraded;
            Swap(new CacheGeneration(_options, degraded, _time));
        }
    }

    private void Reconfigure(ApiTokenOptions options)
    {
        lock (_swapLock)
        {
            _options = options;
            var next = new CacheGeneration(options, _degraded, _time);
            if (next.SameSettings(_current))
            {
                next.Cache.Dispose();
                return;
            }

            Swap(next);
        }
    }

    private void Swap(CacheGeneration next)
    {
        // Entries of the old generation are unreachable from now on; invalidate them so a request
        // that already holds one does not keep serving it, and empty the old cache. It is not
        // disposed: a request may still be reading it, and a disposed MemoryCache throws. The
        // stamp keeps a load that started before out of the new generation.
        var old = _current;
        AdvanceAndClearWarm();
        _current = next;
        old.Index.InvalidateAll();
        old.Cache.Compact(1.0);
    }

    private async Task<CachedApiToken?> LoadCoreAsync(UInt128 key, string secret)
    {
        var stamp = _stamp.Read();
        var generation = _current;
        var hash = ApiTokenSecretCodec.Hash(secret);
        if (TryTakeWarm(hash, generation, out var warm, out var warmedAt))
        {
            return Store(key, warm, stamp, generation, warmedAt);
        }

        var readAt = _time.GetTimestamp();
        var lookup = await _lookup.FindAsync(hash).ConfigureAwait(false);
        return lookup is null ? null : Store(key, lookup, stamp, generation, readAt);
    }

    // A new entry from a lookup read after the stamp was `stamp`, starting at `readAt` (ChangeStamp
    // says why indexing first and checking after keeps a stale read out).
    private CachedApiToken Store(UInt128 key, ApiTokenLookup lookup, long stamp, CacheGeneration generation, long readAt)
    {
        var expiresAt = EntryExpiry(lookup, generation, readAt, out var cut);
        var entry = new CachedApiToken(lookup, expiresAt, cut ? long.MaxValue : generation.RefreshPoint(readAt), _strings, _limiters.For(lookup.Token));
        if (!generation.Enabled)
        {
            return entry;
        }

        generation.Index.Put(entry);
        if (!_stamp.Unchanged(stamp))
        {
            // A change landed while we read: this entry may predate it. Serve it to the requests that
            // asked (they overlapped the change), but keep it out of the cache.
            entry.Invalidate();
            generation.Index.Remove(entry);
            return entry;
        }

        var cacheKey = new CacheKey { Value = key };
        generation.Cache.Set(cacheKey, entry, generation.EntryOptions);
        entry.CacheKey = cacheKey;
        generation.Index.SweepIfDue(generation.Cache, _time.GetTimestamp());
        return entry;
    }

    // The cache lifetime, counted from when the read began (a slow store must not stretch how long
    // another node's change can go unseen, R18), cut short where the secret stops authenticating
    // (R21 expiry, R23 grace): a cached token never outlives its expiresAt by one request.
    private long EntryExpiry(ApiTokenLookup lookup, CacheGeneration generation, long readAt, out bool cut)
    {
        cut = false;
        var now = _time.GetTimestamp();
        var expiresAt = readAt + generation.LifetimeTicks;
        if (lookup.ValidUntil is { } validUntil)
        {
            var left = Math.Max(0, (validUntil - _time.GetUtcNow()).TotalSeconds) * _time.TimestampFrequency;
            var ends = now + (long)Math.Min(left, generation.LifetimeTicks);
            if (ends < expiresAt)
            {
                expiresAt = ends;
                cut = true;
            }
        }

        return expiresAt;
    }
}
