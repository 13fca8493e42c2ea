namespace ApiTokens;

// Background store work (the last-use flush, refresh-ahead reloads, the lifecycle sweep, the warm-up)
// on a thread of its own.
// A store whose "async" calls run synchronously (Microsoft.Data.Sqlite under EF) would otherwise hold
// one of the thread pool's few threads for the whole of it, and requests would queue behind it until
// the pool grew: a stall of most of a second on 2 cores (benchmarks/README.md, section 23). A truly
// asynchronous store returns to the pool at its first await.
internal static class OwnThread
{
    public static Task RunAsync(Func<Task> work, CancellationToken cancellationToken)
        => Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
}
