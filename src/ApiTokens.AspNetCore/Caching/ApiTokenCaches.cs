using System.Collections.Concurrent;

namespace ApiTokens.AspNetCore.Caching;

// One cache per authentication scheme; hears every token change and passes it to all of them.
internal sealed class ApiTokenCaches : IApiTokenChangeListener, IDisposable
{
    private readonly ConcurrentDictionary<string, ApiTokenCache> _caches = new(StringComparer.Ordinal);

    public ApiTokenCache Get(string scheme, ApiTokenAuthenticationOptions options)
    {
        if (_caches.TryGetValue(scheme, out var cache))
        {
            return cache;
        }

        return _caches.GetOrAdd(scheme, static (name, o) => new ApiTokenCache(name, o.CacheLifetime, o.CacheSizeLimit, o.TimeProvider ?? TimeProvider.System), options);
    }

    public void OnTokenChanged(string tokenId)
    {
        foreach (var cache in _caches.Values)
        {
            cache.Invalidate(tokenId);
        }
    }

    public void Dispose()
    {
        foreach (var cache in _caches.Values)
        {
            cache.Dispose();
        }
    }
}
