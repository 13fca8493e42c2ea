using ApiTokens.Stores;
using ApiTokens.Validation;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Caching;

// At start, off the request path: the lookups of the WarmUpTokens most recently used tokens (their
// current secret, and a previous one still in its grace), read in batches through the same lookup as
// refresh-ahead (owners' roles, R15; admission, R13/R21/R23) and handed to the cache (ApiTokenCache.Warm).
// On a shared store it waits for the cross-node channel first: its first LISTEN restarts the cache.
// IsWarm tells the readiness check when this node's first requests will find them.
internal sealed class CacheWarmer(
    ApiTokenCache cache,
    TokenLookup lookup,
    ApiTokenChangeFeed feed,
    IOptionsMonitor<ApiTokenOptions> options,
    TimeProvider time,
    ILogger<CacheWarmer> logger,
    IApiTokenLifecycleStore? store = null) : BackgroundService
{
    private const int Batch = 500;
    private volatile bool _warm;

    public bool IsWarm => _warm;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => OwnThread.RunAsync(() => WarmAsync(stoppingToken), stoppingToken);

    private async Task WarmAsync(CancellationToken stoppingToken)
    {
        try
        {
            var limit = options.CurrentValue.WarmUpTokens;
            if (store is null || limit <= 0)
            {
                return;
            }

            var waited = time.GetTimestamp();
            while (!feed.IsConnected && time.GetElapsedTime(waited) < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, stoppingToken).ConfigureAwait(false);
            }

            // A change while the batch is read spoils it (the cache refuses it): read again, a few times.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var stamp = cache.WarmStamp();
                var readAt = time.GetTimestamp();
                var now = time.GetUtcNow();
                var tokens = await store.FindRecentlyUsedAsync(now, limit, stoppingToken).ConfigureAwait(false);
                var hashes = new List<byte[]>(tokens.Count);
                foreach (var token in tokens)
                {
                    hashes.Add(token.SecretHash);
                    if (token.PreviousSecretHash is { } previous && token.PreviousSecretExpiresAt > now)
                    {
                        hashes.Add(previous);
                    }
                }

                var warm = new List<(byte[], ApiTokenLookup)>(hashes.Count);
                for (var i = 0; i < hashes.Count; i += Batch)
                {
                    var chunk = hashes.GetRange(i, Math.Min(Batch, hashes.Count - i));
                    var found = await lookup.FindManyAsync(chunk).ConfigureAwait(false);
                    for (var j = 0; j < found.Length; j++)
                    {
                        if (found[j] is { } one)
                        {
                            warm.Add((chunk[j], one));
                        }
                    }
                }

                if (cache.Warm(warm, stamp, readAt))
                {
                    Log.CacheWarmed(logger, warm.Count, time.GetElapsedTime(readAt).TotalMilliseconds);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException)
        {
            Log.CacheWarmFailed(logger, ex);
        }
        finally
        {
            _warm = true;
        }
    }
}
