using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;

namespace ApiTokens.Benchmarks;

// "flat to a million": what the MemoryCache layer itself costs a hit, and whether replacing
// it would close the gap between 1,000 and 100,000 cached tokens. The cache's own lookup (a boxed
// 128-bit key probed through MemoryCache, as ApiTokenCache does) against a ConcurrentDictionary keyed
// by the UInt128 itself, each reading the cached object as a hit would. 1,024 of the entries are
// presented in turn, spread over the whole set (as ScaleBenchmarks does).
[Config(typeof(BenchConfig))]
public class CacheLookupBenchmarks
{
    private const int Presented = 1024;
    private static readonly MemoryCacheEntryOptions s_entry = new() { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) };

    private readonly ProbeKey _probe = new();
    private MemoryCache _memoryCache = null!;
    private ConcurrentDictionary<UInt128, Entry> _dictionary = null!;
    private UInt128[] _keys = null!;
    private int _next;

    [Params(1_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _memoryCache = new MemoryCache(new MemoryCacheOptions { SizeLimit = 200_000, CompactionPercentage = 0.1 });
        _dictionary = new ConcurrentDictionary<UInt128, Entry>();
        var keys = new List<UInt128>(Presented);
        var random = new Random(16);
        for (var i = 0; i < Entries; i++)
        {
            var key = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64());
            var entry = new Entry(i);
            _memoryCache.Set(new ProbeKey { Value = key }, entry, s_entry);
            _dictionary[key] = entry;
            if (i % Math.Max(1, Entries / Presented) == 0 && keys.Count < Presented)
            {
                keys.Add(key);
            }
        }

        _keys = [.. keys];
    }

    [GlobalCleanup]
    public void Cleanup() => _memoryCache.Dispose();

    [Benchmark(Baseline = true, Description = "MemoryCache (boxed key probe)")]
    public long MemoryCacheHit()
    {
        _probe.Value = _keys[_next++ % _keys.Length];
        return _memoryCache.TryGetValue(_probe, out var value) ? ((Entry)value!).ExpiresAt : 0;
    }

    [Benchmark(Description = "ConcurrentDictionary<UInt128, _>")]
    public long DictionaryHit()
        => _dictionary.TryGetValue(_keys[_next++ % _keys.Length], out var entry) ? entry.ExpiresAt : 0;

    private sealed class Entry(int i)
    {
        public long ExpiresAt { get; } = long.MaxValue - i;
    }

    // As ApiTokenCache.Key: MemoryCache's keys are objects.
    private sealed class ProbeKey : IEquatable<ProbeKey>
    {
        public UInt128 Value { get; set; }

        public bool Equals(ProbeKey? other) => other is not null && other.Value == Value;

        public override bool Equals(object? obj) => Equals(obj as ProbeKey);

        public override int GetHashCode() => (int)(ulong)Value;
    }
}
