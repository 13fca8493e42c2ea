using ApiTokens.AspNetCore.Authentication;

namespace ApiTokens.Benchmarks;

// Bytes the cache holds per cached token: authenticate N distinct tokens once (so each is cached
// with its app and shared identity), then compare the managed heap with the store alone.
public static class MemoryPerToken
{
    public static async Task RunAsync(int count)
    {
        await using var host = BenchHost.Create(cacheSize: count + 1);
        var secrets = new string[count];
        for (var i = 0; i < count; i++)
        {
            secrets[i] = await host.CreateTokenAsync();
        }

        // Record the app under each token first (a store write that drops the entry), so what the
        // second pass caches is the steady state: token, app, identity.
        foreach (var secret in secrets)
        {
            await host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
        }

        var before = Settle();
        foreach (var secret in secrets)
        {
            var result = await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException("setup failed");
            }
        }

        var after = Settle();
        Console.WriteLine($"cached tokens: {count:N0}; managed heap grew {(after - before) / 1024.0 / 1024.0:F1} MiB; {(after - before) / (double)count:F0} bytes per cached token (entry, app index, shared identity with 6-8 claims, cache bookkeeping)");
        GC.KeepAlive(secrets);
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
