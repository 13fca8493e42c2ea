using Microsoft.Extensions.DependencyInjection;
using ApiTokens.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Benchmarks;

// Bytes the cache holds per cached token: authenticate N distinct tokens once (so each is cached
// with its app and shared identity), then compare the managed heap with the store alone. The
// in-memory store hands out the token objects it keeps, so on it the cache holds no token copy of
// its own; on a database store (sqlite) every cached token is a fresh copy read from the database.
public static class MemoryPerToken
{
    // apps: the apps each token is used with (load-many.sh uses 3).
    public static async Task RunAsync(int count, string store, int apps = 1)
    {
        string? file = null;
        Action<ApiTokensBuilder>? configure = null;
        if (store == "sqlite")
        {
            file = Path.Combine(Path.GetTempPath(), $"apitokens-memory-{Guid.NewGuid():N}.db");
            var connection = $"Data Source={file}";
            configure = b =>
            {
                b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseSqlite(connection));
                b.AddEntityFrameworkCoreStore<BenchDbContext>();
            };
        }
        else if (store != "inmemory")
        {
            throw new ArgumentException("store: inmemory or sqlite", nameof(store));
        }

        try
        {
            await RunAsync(count, store, apps, configure);
        }
        finally
        {
            if (file is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                File.Delete(file);
            }
        }
    }

    private static async Task RunAsync(int count, string store, int apps, Action<ApiTokensBuilder>? configure)
    {
        string[] names = [BenchHost.AppName, .. Enumerable.Range(2, apps - 1).Select(i => $"app-{i}")];
        await using var host = BenchHost.Create(configure, cacheSize: count + 1);
        if (configure is not null)
        {
            await using var context = await host.Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync();
            await context.Database.EnsureCreatedAsync();
        }

        var secrets = new string[count];
        for (var i = 0; i < count; i++)
        {
            secrets[i] = await host.CreateTokenAsync();
        }

        // Record the app under each token first (a store write that drops the entry), so what the
        // second pass caches is the steady state: token, app, identity.
        foreach (var secret in secrets)
        {
            foreach (var name in names)
            {
                await host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, name);
            }
        }

        // Two steps, so the bytes can be told apart: the validator's cache alone (entry, lookup,
        // token, app slot, cache bookkeeping), then what authenticating through the scheme adds (the
        // shared identity and its claims).
        var validator = host.Services.GetRequiredService<ApiTokens.Validation.ApiTokenValidator>();
        var before = Settle();
        foreach (var secret in secrets)
        {
            foreach (var name in names)
            {
                var result = await validator.ValidateAsync(secret, name);
                if (result.Status != ApiTokens.Validation.ApiTokenValidationStatus.Success)
                {
                    throw new InvalidOperationException("setup failed");
                }
            }
        }

        var cached = Settle();
        foreach (var secret in secrets)
        {
            foreach (var name in names)
            {
                var result = await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, name);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("setup failed");
                }
            }
        }

        var after = Settle();

        // An application that reads claims (User.Identity.Name, FindFirst) makes each identity build
        // them, once.
        foreach (var secret in secrets)
        {
            foreach (var name in names)
            {
                var result = await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, name);
                if (result.Principal?.Identity?.Name is null)
                {
                    throw new InvalidOperationException("setup failed");
                }
            }
        }

        var withClaims = Settle();
        Console.WriteLine($"store: {store}; cached tokens: {count:N0}, each used with {apps} app(s); managed heap grew {(after - before) / 1024.0 / 1024.0:F1} MiB; {(after - before) / (double)count:F0} bytes per cached token");
        Console.WriteLine($"  validator cache (entry with what judging needs, app slot and result, MemoryCache and index bookkeeping): {(cached - before) / (double)count:F0} B");
        Console.WriteLine($"  identities (a shared ClaimsIdentity per pair, kept on the validated pair): {(after - cached) / (double)count:F0} B");
        Console.WriteLine($"  claims, once the application reads them: +{(withClaims - after) / (double)count:F0} B (total {(withClaims - before) / (double)count:F0} B)");
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
