using ApiTokens.Caching;
using ApiTokens.Validation;

namespace ApiTokens.Recording;

// One cached (token, app) pair, made at its first request and kept by its cache entry: the shared
// success result every allowed request returns (a hit allocates nothing), when the pair was first
// used since the last flush (R22), and its requests of the current UTC day by outcome (R35).
//
// A request marks the use (the clock is read once per flush interval) and adds one count with an
// interlocked increment; the first mark or count after a flush queues the slot, once, so the queue
// holds a slot at most once and memory stays bounded by what is cached. UseRecorder owns the rest.
internal sealed class UseSlot
{
    private readonly CachedApiToken _entry;
    private long _usedAtTicks;
    private long _allowed;
    private long _pending;
    private long _denied;
    private long _limited;
    private int _queued;

    public UseSlot(CachedApiToken entry, string appName)
    {
        _entry = entry;
        AppName = appName;
        Success = ApiTokenValidationResult.Success(new ValidatedApiToken(entry.TokenId, entry.Type, entry.AccountId, entry.OwnerId, entry.EffectivePrivilege, appName, entry.Scopes, entry.CreatedAt, entry.TokenExpiresAt));
    }

    public ApiTokenValidationResult Success { get; }

    public string TokenId => _entry.TokenId;

    public string AccountId => _entry.AccountId;

    public string AppName { get; }

    // The pair authenticates with the previous secret of a rotated token (R23), until then.
    public bool PreviousSecret => _entry.PreviousSecret;

    public DateTimeOffset? PreviousSecretExpiresAt => _entry.PreviousSecretExpiresAt;

    // The UTC day (day number) the counts are for: -1 before the first count. Changed only under
    // UseRecorder's lock.
    public int Day { get; set; } = -1;

    // R22: the first use since the last flush; later uses until the flush read one field.
    public void MarkUsed(TimeProvider time)
    {
        if (Volatile.Read(ref _usedAtTicks) == 0)
        {
            Interlocked.CompareExchange(ref _usedAtTicks, time.GetUtcNow().UtcTicks, 0);
        }
    }

    // The flusher takes the use it will write, leaving none.
    public DateTimeOffset? TakeUse()
    {
        var ticks = Interlocked.Exchange(ref _usedAtTicks, 0);
        return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public void Add(UsageOutcome outcome)
    {
        switch (outcome)
        {
            case UsageOutcome.Allowed:
                Interlocked.Increment(ref _allowed);
                break;
            case UsageOutcome.Pending:
                Interlocked.Increment(ref _pending);
                break;
            case UsageOutcome.Denied:
                Interlocked.Increment(ref _denied);
                break;
            default:
                Interlocked.Increment(ref _limited);
                break;
        }
    }

    public bool TryQueue() => Volatile.Read(ref _queued) == 0 && Interlocked.Exchange(ref _queued, 1) == 0;

    public void Unqueue() => Volatile.Write(ref _queued, 0);

    public UsageCounts Peek() => new(Volatile.Read(ref _allowed), Volatile.Read(ref _pending), Volatile.Read(ref _denied), Volatile.Read(ref _limited));

    // Takes the counts so far, leaving zeros (under UseRecorder's lock, so a day change cannot interleave).
    public UsageCounts Take() => new(Interlocked.Exchange(ref _allowed, 0), Interlocked.Exchange(ref _pending, 0), Interlocked.Exchange(ref _denied, 0), Interlocked.Exchange(ref _limited, 0));
}

internal enum UsageOutcome
{
    Allowed,
    Pending,
    Denied,
    Limited,
}

// Requests by outcome (R35).
internal readonly record struct UsageCounts(long Allowed, long Pending, long Denied, long Limited)
{
    public bool IsEmpty => Allowed + Pending + Denied + Limited == 0;

    public static UsageCounts operator +(UsageCounts a, UsageCounts b)
        => new(a.Allowed + b.Allowed, a.Pending + b.Pending, a.Denied + b.Denied, a.Limited + b.Limited);
}
