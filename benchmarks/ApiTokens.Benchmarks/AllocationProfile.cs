using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// Where the bytes of one authenticated request go, step by step (`-- allocations`). Each step
// repeats the previous ones and adds one thing; the difference is what that thing allocates.
public static class AllocationProfile
{
    private const int Runs = 200_000;

    public static async Task RunAsync()
    {
        await using var host = BenchHost.Create();
        var secret = await host.CreateTokenAsync();
        for (var i = 0; i < 3; i++)
        {
            await host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
        }

        var jwt = "Bearer " + BenchHost.CreateJwt();
        var steps = new (string Name, Func<Task> Step)[]
        {
            ("DI scope (create + dispose)", async () => { await using var scope = host.Services.CreateAsyncScope(); }),
            ("+ DefaultHttpContext with 2 headers", () => ContextAsync(host, secret, null)),
            ("+ resolve IAuthenticationService (scoped)", () => ContextAsync(host, secret, static (c, _) => c.RequestServices.GetRequiredService<IAuthenticationService>() is null ? Task.CompletedTask : Task.CompletedTask)),
            ("+ AuthenticateAsync, do-nothing handler", () => ContextAsync(host, secret, static (c, _) => c.AuthenticateAsync(BenchHost.Floor))),
            ("+ AuthenticateAsync, ApiTokens cache hit", () => ContextAsync(host, secret, static (c, _) => c.AuthenticateAsync(BenchHost.ApiTokens))),
            ("+ AuthenticateAsync, JwtBearer HS256", () => ContextAsync(host, jwt, static (c, _) => c.AuthenticateAsync(BenchHost.Jwt), "Authorization")),
        };

        Console.WriteLine("| step | bytes per request |");
        Console.WriteLine("|---|---:|");
        foreach (var (name, step) in steps)
        {
            for (var i = 0; i < 10_000; i++)
            {
                await step();
            }

            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Runs; i++)
            {
                await step();
            }

            Console.WriteLine($"| {name} | {(GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Runs:F0} |");
        }

        // The core's validation flow on its own, as any transport calls it: a cache hit should allocate nothing.
        var validator = host.Services.GetRequiredService<ApiTokenValidator>();
        for (var i = 0; i < 10_000; i++)
        {
            await validator.ValidateAsync(secret, BenchHost.AppName);
        }

        var start = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < Runs; i++)
        {
            await validator.ValidateAsync(secret, BenchHost.AppName);
        }

        Console.WriteLine($"| ApiTokenValidator.ValidateAsync alone, cache hit | {(GC.GetTotalAllocatedBytes(precise: true) - start) / (double)Runs:F0} |");
        var identities = host.Services.GetRequiredService<ApiTokens.AspNetCore.Authentication.ApiTokenIdentities>();
        var token = (await validator.ValidateAsync(secret, BenchHost.AppName)).Token!;
        start = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < Runs; i++)
        {
            identities.Get(token, BenchHost.ApiTokens);
        }

        Console.WriteLine($"| identity lookup | {(GC.GetTotalAllocatedBytes(precise: true) - start) / (double)Runs:F0} |");
    }

    private static async Task ContextAsync(BenchHost host, string value, Func<HttpContext, string, Task>? then, string header = ApiTokenAuthenticationDefaults.TokenHeaderName)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers[header] = value;
        context.Request.Headers[ApiTokenAuthenticationDefaults.AppNameHeaderName] = BenchHost.AppName;
        if (then is not null)
        {
            await then(context, value);
        }
    }
}
