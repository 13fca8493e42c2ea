using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// The bytes a refresh-ahead reload costs (`-- reload-alloc`): one batched store read of 1, 10 and
// 100 tokens (3 apps each, among 1,100), exact from GC.GetTotalAllocatedBytes, so the fixed cost of a
// call and the cost per token can be told apart. What load-many.sh's background bytes are read against.
public static class ReloadAllocationProbe
{
    public static async Task RunAsync(string store)
    {
        await using var database = await DatabaseBench.StartAsync(store);
        var host = database.Host;
        var secrets = new List<string>();
        for (var i = 0; i < 1100; i++)
        {
            secrets.Add(await host.CreateTokenAsync());
        }

        var reloaded = secrets.Where((_, i) => i % 11 == 0).Take(100).ToList();
        foreach (var secret in reloaded)
        {
            foreach (var app in new[] { BenchHost.AppName, "cosi", "terraform" })
            {
                await host.AuthenticateAsync(BenchHost.ApiTokensNoCache, AspNetCore.Authentication.ApiTokenAuthenticationDefaults.TokenHeaderName, secret, app);
            }
        }

        var hashes = reloaded.Select(s => (ReadOnlyMemory<byte>)ApiTokenSecretCodec.Hash(s)).ToArray();
        var batch = (IApiTokenBatchLookupStore)host.Services.GetRequiredService<IApiTokenStore>();
        foreach (var size in new[] { 1, 10, 100 })
        {
            var part = hashes[..size];
            for (var i = 0; i < 50; i++)
            {
                await batch.FindBySecretHashesAsync(part, false, CancellationToken.None);
            }

            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < 50; i++)
            {
                await batch.FindBySecretHashesAsync(part, false, CancellationToken.None);
            }

            Console.WriteLine($"batch {size}: {(GC.GetTotalAllocatedBytes(precise: true) - before) / 50.0 / 1024:F1} KB per call, {(GC.GetTotalAllocatedBytes(precise: true) - before) / 50.0 / size:F0} B per token");
        }
    }
}
