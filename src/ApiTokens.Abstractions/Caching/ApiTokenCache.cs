using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ApiTokens.Validation;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ApiTokens.Caching;

// The hot-path cache of the validation flow: one per application, shared by every transport.
//
// Keys: 128 bits of BLAKE3(process key ‖ secret), where the 256-bit process key comes from
// RandomNumberGenerator at start-up. Why this is safe:
// - The cache never holds a secret: a heap dump shows keys, and BLAKE3 is one-way, so no key can be
//   turned back into a secret (256 random bits; UUID secrets 122).
// - A cache hit authenticates on the key alone, so a forged credential would need another
//   well-formed secret with the same key: a second-preimage attack on BLAKE3 (still infeasible if a
//   dump reveals the process key), or, without the process key, blind guessing of a 128-bit value.
// - BLAKE3 is not open to length extension, so prefixing the key makes a sound keyed hash.
// - 128 bits make an accidental collision (two live secrets, one entry) a 2^-64 event at 2^32 tokens.
// Why not SHA-256 (which the store uses): on the 2-core build machine it costs ≈ 0.40 µs per call
// through OpenSSL; one-shot BLAKE3 on the same input ≈ 0.10 µs with no allocation (see benchmarks/).
// A miss still computes SHA-256 once, to look the token up in the store.
//
// Invalidation (R18): the manager and the validator tell every IApiTokenChangeListener, this cache
// among them, before their change returns; the entry is marked invalid and dropped, so the next
// request on this node reloads. A load that overlaps a change is not cached (the change stamp
// moved), so a stale read cannot be re-inserted.
//
// Options: CacheLifetime and CacheSizeLimit follow a reload of ApiTokenOptions. The settings and
// the MemoryCache built from them are one immutable Generation swapped as a whole, so a request
// never sees a lifetime of one generation with the entries of another; a reload starts empty.
internal sealed class ApiTokenCache : IApiTokenChangeListener, IDisposable
{
    public const int MaxSecretLength = 96;

    // The most entries one refresh-ahead reload asks the store for.
    public const int MaxRefreshBatch = 100;
    private const int KeyLength = 32;

    // MemoryCache keys are objects, so a UInt128 would be boxed by every lookup. A lookup fills this
    // thread's probe instead: TryGetValue only compares it and keeps no reference, and nothing awaits
    // between filling and using it. Stored entries get a Key object of their own.
    [ThreadStatic]
    private static Key? s_probe;

    private static readonly TimeSpan s_maxRefreshBatchDelay = TimeSpan.FromSeconds(1);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(KeyLength);
    private readonly ConcurrentDictionary<UInt128, Lazy<Task<CachedApiToken?>>> _loading = new();
    private readonly TimeProvider _time;
    private readonly IDisposable? _onChange;
    private readonly Lock _swapLock = new();
    private readonly SharedStrings _strings = new();
    private readonly ConcurrentQueue<PendingRefresh> _refreshes = new();
    private readonly ITimer _refreshTimer;
    private Func<IReadOnlyList<byte[]>, Task<ApiTokenLookup?[]>>? _loadMany;
    private int _refreshArmed;
    private volatile Generation _current;
    private ApiTokenOptions _options;
    private bool _degraded;
    private long _changeStamp;

    // degraded: a change notifier is registered, and its channel counts as down until it connects (R26).
    public ApiTokenCache(IOptionsMonitor<ApiTokenOptions> options, TimeProvider time, bool degraded = false)
    {
        _time = time;
        _options = options.CurrentValue;
        _degraded = degraded;
        _current = new Generation(this, _options, degraded);
        // The timer only hands the batch to the thread pool: a FakeTimeProvider runs callbacks inside
        // Advance, and a store read (which may block, as SQLite's do) belongs on a worker of its own.
        _refreshTimer = time.CreateTimer(
            static self => ThreadPool.UnsafeQueueUserWorkItem(static cache => _ = cache.DrainRefreshesAsync(), (ApiTokenCache)self!, preferLocal: false),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
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
    internal int IndexCount => _current.ByTokenId.Count;

    // Tests: every live cached entry can be found by its token id, so a change reaches it (R18).
    internal bool IndexCoversCache()
    {
        var generation = _current;
        foreach (var key in generation.Cache.Keys)
        {
            if (generation.Cache.TryGetValue(key, out var value) && value is CachedApiToken { IsInvalidated: false } entry
                && !(generation.ByTokenId.TryGetValue(entry.IndexKey, out var indexed) && ReferenceEquals(indexed, entry)))
            {
                return false;
            }
        }

        return true;
    }

    public TimeSpan Lifetime => _current.Lifetime;

    public long SizeLimit => _current.SizeLimit;

    // key ‖ ASCII of the secret, hashed in one shot on the stack. Every valid secret is ASCII, so a
    // non-ASCII value has no key (it cannot be anyone's secret) and the caller refuses it.
    public bool TryComputeKey(ReadOnlySpan<char> secret, out UInt128 key)
    {
        key = default;
        if (secret.Length > MaxSecretLength || !System.Text.Ascii.IsValid(secret))
        {
            return false;
        }

        Span<byte> input = stackalloc byte[KeyLength + MaxSecretLength];
        _key.CopyTo(input);
        System.Text.Ascii.FromUtf16(secret, input[KeyLength..], out var written);
        Span<byte> hash = stackalloc byte[32];
        Blake3.Hasher.Hash(input[..(KeyLength + written)], hash);
        input.Clear();
        key = MemoryMarshal.Read<UInt128>(hash);
        return true;
    }

    // refresh: the entry is past its refresh point, so the caller should reload it in the background
    // while serving it (see QueueRefresh).
    public CachedApiToken? TryGet(UInt128 key, out bool refresh)
    {
        refresh = false;
        var generation = _current;
        if (!generation.Enabled)
        {
            return null;
        }

        var probe = s_probe ??= new Key();
        probe.Value = key;
        if (!generation.Cache.TryGetValue(probe, out var value))
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

    // Refresh-ahead: a hot entry is reloaded before it expires, so its requests never wait for the
    // store, and entries loaded in the same second (a start-up, a reconnect) do not all expire in the
    // same second: each refreshes at a random point between 70 % and 90 % of its lifetime. A token
    // that is gone (retired, expired, unknown) is dropped at once; a store failure leaves the entry to
    // expire.
    //
    // Batched (issue 16): the entries that fall due within RefreshBatchDelay (2 % of the lifetime, at
    // most 1 s — well before the 10 % left until they expire) are reloaded by one store call, up to
    // MaxRefreshBatch at a time, one batch at a time; entries queued while a batch is read go with the
    // next one. On a database the reloads of a cache lifetime are then a few dozen round trips instead
    // of one per hot token (PostgreSQL: the slow seconds of load-many.sh at the refresh cycles). The
    // first entry to fall due arms the timer; the queue holds the store's hashes, never a secret.
    //
    // A reload that finds the token as the entry has it (same version, same effective privilege, same
    // secret state, nothing cutting the lifetime short) extends the entry in place instead of
    // replacing it: its app results, last-use slots and the handler's shared identity survive, so a
    // hot token is not rebuilt — and its objects not promoted through the GC's generations again —
    // once per lifetime. Safe for R18: a change on this node invalidates the entry before it returns,
    // and an invalidated entry is never served, extended or not.
    public void QueueRefresh(UInt128 key, CachedApiToken entry, byte[] secretHash, Func<IReadOnlyList<byte[]>, Task<ApiTokenLookup?[]>> loadMany)
    {
        _loadMany = loadMany;
        _refreshes.Enqueue(new PendingRefresh(key, entry, secretHash));
        if (Interlocked.CompareExchange(ref _refreshArmed, 1, 0) == 0)
        {
            try
            {
                _refreshTimer.Change(_current.RefreshBatchDelay, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Shutting down: nothing is reloaded any more.
            }
        }
    }

    // The timer fired: reload what is queued, batch after batch, then disarm.
    private async Task DrainRefreshesAsync()
    {
        var batch = new List<PendingRefresh>(MaxRefreshBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                while (batch.Count < MaxRefreshBatch && _refreshes.TryDequeue(out var pending))
                {
                    batch.Add(pending);
                }

                if (batch.Count == 0)
                {
                    Volatile.Write(ref _refreshArmed, 0);

                    // An entry queued between the last dequeue and the disarm saw the timer armed and
                    // did not arm it: take it now rather than leave it to the next one.
                    if (_refreshes.IsEmpty || Interlocked.CompareExchange(ref _refreshArmed, 1, 0) != 0)
                    {
                        return;
                    }

                    continue;
                }

                await RefreshBatchAsync(batch).ConfigureAwait(false);
            }
        }
        catch
        {
            // Store failures are handled per batch; anything else is a defect, and must not leave the
            // timer disarmed for good: the next entry due arms it again.
            Volatile.Write(ref _refreshArmed, 0);
            throw;
        }
    }

    private async Task RefreshBatchAsync(List<PendingRefresh> batch)
    {
        var stamp = Volatile.Read(ref _changeStamp);
        var generation = _current;
        var readAt = _time.GetTimestamp();
        ApiTokenLookup?[] lookups;
        try
        {
            var hashes = new byte[batch.Count][];
            for (var i = 0; i < hashes.Length; i++)
            {
                hashes[i] = batch[i].SecretHash;
            }

            lookups = await _loadMany!(hashes).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Logged by the loader. The entries serve until they expire; the next miss reports the
            // outage (R20). Anything thrown must not stop the refreshes to come.
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            Refreshed(batch[i], lookups[i], stamp, generation, readAt);
        }
    }

    // One entry's reload, read from `readAt` on, after the change stamp was `stamp`.
    private void Refreshed(PendingRefresh pending, ApiTokenLookup? lookup, long stamp, Generation generation, long readAt)
    {
        var entry = pending.Entry;
        if (lookup is null)
        {
            Drop(entry);
            return;
        }

        var expiresAt = EntryExpiry(lookup, generation, readAt, out var cut);
        if (!cut
            && generation.Enabled
            && ReferenceEquals(generation, _current)
            && entry.CacheKey is { } cacheKey
            && entry.Matches(lookup)
            && !entry.IsInvalidated)
        {
            // The entry is unchanged. If it is still the one indexed for its token, every change
            // since the read began would have found and invalidated it (checked above), so no other
            // token's change — the stamp is global — keeps it from being extended. If a sweep had
            // unindexed it (the cache had let it go), a change meanwhile could not find it: then the
            // stamp decides, as for any store.
            var indexed = generation.ByTokenId.TryGetValue(entry.IndexKey, out var current) && ReferenceEquals(current, entry);
            entry.Extend(expiresAt, RefreshPoint(generation, readAt));
            generation.Cache.Set(cacheKey, entry, generation.EntryOptions);
            if (indexed)
            {
                return;
            }

            // Stored again, so indexed again. If another entry holds the token's place or a change
            // landed meanwhile, it must not serve on.
            var placed = generation.ByTokenId.GetOrAdd(entry.IndexKey, entry);
            if (!ReferenceEquals(placed, entry) || Volatile.Read(ref _changeStamp) != stamp)
            {
                entry.Invalidate();
                generation.ByTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(entry.IndexKey, entry));
            }

            return;
        }

        // Something differs (or a change overlapped the read): a new entry from this read, exactly
        // as a miss stores one — it replaces the old entry, and an overlapped read stays out.
        Store(pending.Key, lookup, stamp, generation, readAt);
    }

    private void Drop(CachedApiToken entry)
    {
        entry.Invalidate();
        _current.ByTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(entry.IndexKey, entry));
    }

    // Coalesces concurrent misses for one secret into one store read. The read belongs to no
    // request (it runs without their cancellation), so a request that gives up never cancels it
    // for the others.
    public async Task<CachedApiToken?> LoadAsync(UInt128 key, string secret, Func<string, Task<ApiTokenLookup?>> load)
    {
        var lazy = _loading.GetOrAdd(
            key,
            static (k, state) => new Lazy<Task<CachedApiToken?>>(() => state.self.LoadCoreAsync(k, state.secret, state.load)),
            (self: this, secret, load));
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        finally
        {
            _loading.TryRemove(new KeyValuePair<UInt128, Lazy<Task<CachedApiToken?>>>(key, lazy));
        }
    }

    public void OnTokenChanged(string tokenId)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        Interlocked.Increment(ref _changeStamp);
        var byTokenId = _current.ByTokenId;
        if (byTokenId.TryRemove(tokenId, out var entry))
        {
            entry.Invalidate();
        }

        // A rotated token's previous secret has an entry of its own (R23).
        if (!byTokenId.IsEmpty && byTokenId.TryRemove(CachedApiToken.PreviousSecretKey(tokenId), out var previous))
        {
            previous.Invalidate();
        }
    }

    public void Dispose()
    {
        _onChange?.Dispose();
        _refreshTimer.Dispose();
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
            Swap(new Generation(this, _options, degraded));
        }
    }

    private void Reconfigure(ApiTokenOptions options)
    {
        lock (_swapLock)
        {
            var old = _current;
            _options = options;
            var next = new Generation(this, options, _degraded);
            if (old.Lifetime == next.Lifetime && old.SizeLimit == next.SizeLimit)
            {
                next.Cache.Dispose();
                return;
            }

            Swap(next);
        }
    }

    private void Swap(Generation next)
    {
        // Entries of the old generation are unreachable from now on; invalidate them so a request
        // that already holds one does not keep serving it, and empty the old cache. It is not
        // disposed: a request may still be reading it, and a disposed MemoryCache throws. The
        // stamp keeps a load that started before out of the new generation.
        var old = _current;
        Interlocked.Increment(ref _changeStamp);
        _current = next;
        foreach (var entry in old.ByTokenId.Values)
        {
            entry.Invalidate();
        }

        old.ByTokenId.Clear();
        old.Cache.Compact(1.0);
    }

    private async Task<CachedApiToken?> LoadCoreAsync(UInt128 key, string secret, Func<string, Task<ApiTokenLookup?>> load)
    {
        var stamp = Volatile.Read(ref _changeStamp);
        var generation = _current;
        var readAt = _time.GetTimestamp();
        var lookup = await load(secret).ConfigureAwait(false);
        return lookup is null ? null : Store(key, lookup, stamp, generation, readAt);
    }

    // A new entry from a lookup read after the change stamp was `stamp`, starting at `readAt`.
    private CachedApiToken Store(UInt128 key, ApiTokenLookup lookup, long stamp, Generation generation, long readAt)
    {
        var expiresAt = EntryExpiry(lookup, generation, readAt, out var cut);
        var entry = new CachedApiToken(lookup, expiresAt, cut ? long.MaxValue : RefreshPoint(generation, readAt), _strings);
        if (!generation.Enabled)
        {
            return entry;
        }

        generation.ByTokenId.AddOrUpdate(
            entry.IndexKey,
            static (_, fresh) => fresh,
            static (_, old, fresh) =>
            {
                old.Invalidate();
                return fresh;
            },
            entry);
        if (Volatile.Read(ref _changeStamp) != stamp)
        {
            // A change landed while we read: this entry may predate it. Serve it to the requests that
            // asked (they overlapped the change), but keep it out of the cache.
            entry.Invalidate();
            generation.ByTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(entry.IndexKey, entry));
            return entry;
        }

        var cacheKey = new Key { Value = key };
        generation.Cache.Set(cacheKey, entry, generation.EntryOptions);
        entry.CacheKey = cacheKey;
        generation.SweepIfDue(_time.GetTimestamp());
        return entry;
    }

    // The cache lifetime, counted from when the read began (a slow store must not stretch how long
    // another node's change can go unseen, R18), cut short where the secret stops authenticating
    // (R21 expiry, R23 grace): a cached token never outlives its expiresAt by one request.
    private long EntryExpiry(ApiTokenLookup lookup, Generation generation, long readAt, out bool cut)
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

    // Between 70 % and 90 % of the lifetime counted from the read, at random per entry.
    private static long RefreshPoint(Generation generation, long readAt)
        => readAt + (long)(generation.LifetimeTicks * (0.7 + (Random.Shared.NextDouble() * 0.2)));

    private readonly record struct PendingRefresh(UInt128 Key, CachedApiToken Entry, byte[] SecretHash);

    internal sealed class Key : IEquatable<Key>
    {
        public UInt128 Value { get; set; }

        public bool Equals(Key? other) => other is not null && other.Value == Value;

        public override bool Equals(object? obj) => Equals(obj as Key);

        // The value is already a uniformly distributed hash.
        public override int GetHashCode() => (int)(ulong)Value;
    }

    private sealed class Generation
    {
        public Generation(ApiTokenCache owner, ApiTokenOptions options, bool degraded)
        {
            Lifetime = degraded && options.CacheLifetime > options.DegradedCacheLifetime ? options.DegradedCacheLifetime : options.CacheLifetime;
            SizeLimit = options.CacheSizeLimit;
            Enabled = Lifetime > TimeSpan.Zero;
            LifetimeTicks = (long)(Lifetime.TotalSeconds * owner._time.TimestampFrequency);
            Cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = SizeLimit, CompactionPercentage = 0.1 });
            // No post-eviction callback: MemoryCache copies one into every entry (128 of its 293 bytes
            // per entry, measured), so ByTokenId is swept instead (SweepIfDue).
            RefreshBatchDelay = Lifetime / 50 < s_maxRefreshBatchDelay ? Lifetime / 50 : s_maxRefreshBatchDelay;
            EntryOptions = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Enabled ? Lifetime : TimeSpan.FromSeconds(1) };
        }

        public TimeSpan Lifetime { get; }

        public long SizeLimit { get; }

        public bool Enabled { get; }

        public long LifetimeTicks { get; }

        // How long the first entry due waits for others to share its reload: 2 % of the lifetime,
        // at most 1 s (refreshes start at 70 % of the lifetime, so the reload still lands before 92 %).
        public TimeSpan RefreshBatchDelay { get; }

        public MemoryCache Cache { get; }

        public MemoryCacheEntryOptions EntryOptions { get; }

        public ConcurrentDictionary<string, CachedApiToken> ByTokenId { get; } = new(StringComparer.Ordinal);

        private int _inserts;
        private int _sweeping;

        // ByTokenId finds a token's entries when it changes (R18). Entries the MemoryCache dropped
        // (expired, compacted away, replaced) stay in it until a sweep, which is harmless for
        // correctness (a dropped entry is never served: lookups go through the MemoryCache) but
        // costs memory, so every 1,024 insertions the sizes are compared (counting a
        // ConcurrentDictionary takes its locks, so not on every insertion), and once the index holds
        // more than twice the cache's entries a sweep runs on the thread pool, off the request.
        public void SweepIfDue(long now)
        {
            if ((Interlocked.Increment(ref _inserts) & 1023) != 0)
            {
                return;
            }

            if (ByTokenId.Count <= (2 * Cache.Count) + 1024 || Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
            {
                return;
            }

            _ = Task.Run(() =>
            {
                try
                {
                    Sweep(now);
                }
                finally
                {
                    Volatile.Write(ref _sweeping, 0);
                }
            });
        }

        // Removes every indexed entry that the MemoryCache no longer holds. An entry is indexed just
        // before it is stored, and its CacheKey is set just after: one without a key is being stored
        // right now, and removing it would leave a cached entry that a change cannot find.
        public void Sweep(long now)
        {
            foreach (var (indexKey, entry) in ByTokenId)
            {
                if (entry.IsInvalidated
                    || now >= entry.ExpiresAt
                    || (entry.CacheKey is { } key && !(Cache.TryGetValue(key, out var cached) && ReferenceEquals(cached, entry))))
                {
                    ByTokenId.TryRemove(new KeyValuePair<string, CachedApiToken>(indexKey, entry));
                }
            }
        }
    }
}
