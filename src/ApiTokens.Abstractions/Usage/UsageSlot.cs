namespace ApiTokens.Usage;

// R35 on one node: the requests of one cached (token, app) pair in the current UTC day, by outcome.
// A request adds one with an interlocked increment; the first count after a flush queues the slot
// (so the queue holds each slot at most once). A new day moves the old day's counts out first.
internal sealed class UsageSlot(string tokenId, string appName)
{
    private long _allowed;
    private long _pending;
    private long _denied;
    private long _limited;
    private int _queued;

    public string TokenId { get; } = tokenId;

    public string AppName { get; } = appName;

    // The UTC day (day number) the counts are for; changed under the slot's lock.
    public int Day { get; set; } = -1;

    public object Gate { get; } = new();

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

    public (long Allowed, long Pending, long Denied, long Limited) Peek()
        => (Volatile.Read(ref _allowed), Volatile.Read(ref _pending), Volatile.Read(ref _denied), Volatile.Read(ref _limited));

    // Takes the counts so far, leaving zeros (under Gate, so a day change cannot interleave).
    public (long Allowed, long Pending, long Denied, long Limited) Take()
        => (Interlocked.Exchange(ref _allowed, 0), Interlocked.Exchange(ref _pending, 0), Interlocked.Exchange(ref _denied, 0), Interlocked.Exchange(ref _limited, 0));
}

internal enum UsageOutcome
{
    Allowed,
    Pending,
    Denied,
    Limited,
}
