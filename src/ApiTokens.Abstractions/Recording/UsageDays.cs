using ApiTokens.Caching;

namespace ApiTokens.Recording;

// The UTC day (day number) for R35 counts, from a monotonic clock: the wall clock is read once a day,
// not once per request.
internal sealed class UsageDays(TimeProvider time)
{
    private const long MsPerDay = 86_400_000;

    private long _dayEndsAtMs = long.MinValue;
    private int _today;

    public int Today()
    {
        var now = MonotonicClock.NowMs(time);
        if (now < Volatile.Read(ref _dayEndsAtMs))
        {
            return Volatile.Read(ref _today);
        }

        var utc = time.GetUtcNow().UtcDateTime;
        var day = DateOnly.FromDateTime(utc).DayNumber;
        Volatile.Write(ref _today, day);
        Volatile.Write(ref _dayEndsAtMs, now + MsPerDay - (long)utc.TimeOfDay.TotalMilliseconds);
        return day;
    }
}
