namespace ApiTokens.Caching;

// Milliseconds of a monotonic clock for the hot path (R34 windows, R35 days). On the system clock
// that is Environment.TickCount64, which reads a counter the OS keeps (no clock_gettime, a few ns;
// 1–16 ms resolution is plenty for windows of seconds); any other TimeProvider (a host's, tests'
// FakeTimeProvider) is honoured.
internal static class MonotonicClock
{
    public static long NowMs(TimeProvider time)
        => ReferenceEquals(time, TimeProvider.System) ? Environment.TickCount64 : (long)(time.GetTimestamp() * (1000.0 / time.TimestampFrequency));
}
