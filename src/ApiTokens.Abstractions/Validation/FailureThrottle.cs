namespace ApiTokens.Validation;

// R27: failed authentications counted per client key; a client over FailureLimit within
// FailureWindow is refused (Throttled) for any secret not already cached, without store I/O.
//
// Bounded memory whatever the number of clients: keys are never stored. Each key counts in two
// slots of one fixed table (a count-min sketch); a client is throttled only when both of its slots
// are at the limit, so an innocent client is throttled only if both of its slots collide with heavy
// failers. Sized so that 200,000 distinct clients failing once each in a window leave a fresh client
// unthrottled (a test); a flood from far more addresses than that throttles uncached secrets for
// everyone — the store is protected, and tokens in use (cached) keep working. Slot indexes come from string.GetHashCode, which is seeded randomly per process, so a
// client cannot pick keys that collide with someone else's. A slot's window starts at its first
// failure and ends FailureWindow later; the next failure after that starts a new window.
//
// Lock-free: a slot is one long, (window start in ms + 1) << CountBits | count, updated by CAS.
// Time comes from the TimeProvider (FakeTimeProvider in tests); the framework's window limiters
// read Stopwatch and keep one object per key, hence this table (README, "Decisions").
internal sealed class FailureThrottle(TimeProvider time)
{
    internal const int SlotCount = 1 << 17; // 1 MiB, allocated at the first failure
    private const int CountBits = 20;
    private const long CountMask = (1L << CountBits) - 1;
    private const int SlotMask = SlotCount - 1;

    private readonly long _origin = time.GetTimestamp();
    private long[]? _slots;

    public static int MaxLimit => (int)CountMask;

    // Whether the client is over the limit; if so, how long until its window passes.
    public bool IsThrottled(string clientKey, int limit, TimeSpan window, out TimeSpan retryAfter)
    {
        retryAfter = default;
        var slots = Volatile.Read(ref _slots);
        if (slots is null || limit <= 0)
        {
            return false;
        }

        var now = NowMs();
        var windowMs = (long)window.TotalMilliseconds;
        var (first, second) = Slots(clientKey);
        if (!IsOver(Volatile.Read(ref slots[first]), now, limit, windowMs, out var firstRemaining)
            || !IsOver(Volatile.Read(ref slots[second]), now, limit, windowMs, out var secondRemaining))
        {
            return false;
        }

        retryAfter = TimeSpan.FromMilliseconds(Math.Min(firstRemaining, secondRemaining));
        return true;
    }

    public void RecordFailure(string clientKey, TimeSpan window)
    {
        var slots = Volatile.Read(ref _slots) ?? EnsureSlots();
        var now = NowMs();
        var windowMs = (long)window.TotalMilliseconds;
        var (first, second) = Slots(clientKey);
        Increment(ref slots[first], now, windowMs);
        if (second != first)
        {
            Increment(ref slots[second], now, windowMs);
        }
    }

    private static bool IsOver(long slot, long now, int limit, long windowMs, out long remainingMs)
    {
        remainingMs = 0;
        if (slot == 0)
        {
            return false;
        }

        var start = (slot >> CountBits) - 1;
        var elapsed = now - start;
        if (elapsed >= windowMs || (slot & CountMask) < limit)
        {
            return false;
        }

        remainingMs = windowMs - elapsed;
        return true;
    }

    private static void Increment(ref long slot, long now, long windowMs)
    {
        var current = Volatile.Read(ref slot);
        while (true)
        {
            long next;
            if (current == 0 || now - ((current >> CountBits) - 1) >= windowMs)
            {
                next = ((now + 1) << CountBits) | 1;
            }
            else if ((current & CountMask) == CountMask)
            {
                return;
            }
            else
            {
                next = current + 1;
            }

            var seen = Interlocked.CompareExchange(ref slot, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static (int First, int Second) Slots(string clientKey)
    {
        var hash = (uint)clientKey.GetHashCode(StringComparison.Ordinal);
        return ((int)(hash & SlotMask), (int)(((hash * 0x9E3779B9u) >> 15) & SlotMask));
    }

    // Allocated at the first failure, so a host that never sees one pays nothing.
    private long[] EnsureSlots()
    {
        Interlocked.CompareExchange(ref _slots, new long[SlotCount], null);
        return _slots!;
    }

    private long NowMs() => (long)time.GetElapsedTime(_origin).TotalMilliseconds;
}
