using System.Collections.Concurrent;

namespace ApiTokens.Caching;

// Job: concurrent callers asking for the same thing share one call (the store read of a miss, the
// recording of a new app). The shared call belongs to no caller: it runs without their
// cancellation, so a caller that gives up never cancels it for the others.
//
// When the call completes, keep(result) decides whether later callers still share its result (a
// recording that recorded stays, so late readers of the entry it replaced do not write again) or
// start afresh (a load is forgotten at once; the cache holds its result).
internal sealed class Coalescer<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TResult>>> _calls;

    public Coalescer(IEqualityComparer<TKey>? comparer = null) => _calls = new(comparer);

    public async Task<TResult> RunAsync<TState>(TKey key, Func<TKey, TState, Task<TResult>> call, TState state, Func<TResult, bool>? keep = null)
    {
        var lazy = _calls.GetOrAdd(
            key,
            static (k, s) => new Lazy<Task<TResult>>(() => s.call(k, s.state)),
            (call, state));
        var kept = false;
        try
        {
            var result = await lazy.Value.ConfigureAwait(false);
            kept = keep is not null && keep(result);
            return result;
        }
        finally
        {
            if (!kept)
            {
                _calls.TryRemove(new KeyValuePair<TKey, Lazy<Task<TResult>>>(key, lazy));
            }
        }
    }
}
