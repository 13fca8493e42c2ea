namespace ApiTokens.Caching;

// Job: the race guard of R18 — a store read that overlaps a change is never cached.
//
// Every change this node learns of (its own, another node's, a generation swap) moves the stamp
// before it drops the token's entries. A read takes the stamp before it asks the store; its entry
// is put in the token index first and cached only if the stamp has not moved since. Why that is
// enough, whatever the interleaving:
// - a change that moved the stamp before the read's check: the check fails, the entry stays out;
// - a change that moves it after the entry was indexed: the change finds the entry in the index and
//   invalidates it, and an invalidated entry is never served.
// The stamp is global (one counter for every token): a change to any token keeps the overlapping
// reads of every token out of the cache. Changes are rare next to reads, so that costs a few extra
// misses, never a stale hit.
internal sealed class ChangeStamp
{
    private long _value;

    // Taken before a store read (or before a write whose result the cache will take in).
    public long Read() => Volatile.Read(ref _value);

    // A change: called before the entries it affects are dropped.
    public void Advance() => Interlocked.Increment(ref _value);

    // Whether no change has happened since `stamp` was read.
    public bool Unchanged(long stamp) => Volatile.Read(ref _value) == stamp;

    // This node's own change, when it is the only one since `stamp`: moves the stamp one on and says
    // so. False when any other change came between (the caller then treats its write like any other
    // change: it drops the token's entries).
    public bool TryAdvanceFrom(long stamp) => Interlocked.CompareExchange(ref _value, stamp + 1, stamp) == stamp;
}
