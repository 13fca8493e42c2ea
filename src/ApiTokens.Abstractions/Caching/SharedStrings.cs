using System.Collections.Concurrent;

namespace ApiTokens.Caching;

// Account ids, owner ids and app names repeat across cached tokens (an account holds many tokens, a
// user several, and most tokens serve the same few tools), but every token read from a database
// brings its own copies. Cached entries share one instance of each value through this pool, which
// saves up to ~110 bytes per cached token (benchmarks/README.md, section 4). It is bounded, because app names
// come from requests: past MaxCount distinct values new ones are simply not shared. Only the miss
// path (building an entry) uses it.
internal sealed class SharedStrings
{
    public const int MaxCount = 65_536;

    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);
    private int _count;

    public string Share(string value)
    {
        if (_values.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (Volatile.Read(ref _count) >= MaxCount)
        {
            return value;
        }

        if (_values.TryAdd(value, value))
        {
            Interlocked.Increment(ref _count);
            return value;
        }

        return _values.TryGetValue(value, out shared) ? shared : value;
    }

    public string? ShareOrNull(string? value) => value is null ? null : Share(value);

    public int Count => Volatile.Read(ref _count);
}
