using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// Cache-miss validation on the database stores: every authentication reads the token (and its apps)
// by secret hash. PostgreSQL runs in a throwaway local cluster started for the run.
[Config(typeof(BenchConfig))]
public class DatabaseMissBenchmarks
{
    private DatabaseBench _database = null!;
    private BenchHost _host = null!;
    private string _secret = null!;
    private string _unknown = null!;
    private string _retired = null!;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await DatabaseBench.StartAsync(Store);
        _host = _database.Host;

        // The timing question: a retired secret (with apps, as real ones have) against a
        // well-formed secret that never existed. Both must be refused with the same work.
        _retired = await _host.CreateTokenAsync();
        foreach (var app in new[] { BenchHost.AppName, "cosi", "terraform" })
        {
            await _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _retired, app);
        }

        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();
            var actor = new ApiTokenActor("acme", "alice");
            var page = await manager.ListAsync(actor, limit: ApiTokenPaging.MaxLimit);
            var token = page.Value!.Items.Single().Token;
            if (token.Apps.Count != 3)
            {
                throw new InvalidOperationException("setup failed: the retired token should hold 3 apps");
            }

            await manager.RetireAsync(actor, token.Id);
        }

        for (var i = 0; i < 1000; i++)
        {
            await _host.CreateTokenAsync();
        }

        _secret = await _host.CreateTokenAsync();
        await Miss();
        if (!(await Miss()).Succeeded)
        {
            throw new InvalidOperationException("setup failed");
        }

        await using (var other = BenchHost.Create())
        {
            _unknown = await other.CreateTokenAsync();
        }

        if ((await Retired()).Succeeded || (await Unknown()).Succeeded)
        {
            throw new InvalidOperationException("setup failed: a refusal succeeded");
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _database.DisposeAsync();

    [Benchmark(Baseline = true, Description = "cache miss on a database store")]
    public Task<AuthenticateResult> Miss()
        => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _secret, BenchHost.AppName);

    [Benchmark(Description = "refused: well-formed secret that never existed")]
    public Task<AuthenticateResult> Unknown()
        => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _unknown, BenchHost.AppName);

    [Benchmark(Description = "refused: retired secret with 3 apps")]
    public Task<AuthenticateResult> Retired()
        => _host.AuthenticateAsync(BenchHost.ApiTokensNoCache, ApiTokenAuthenticationDefaults.TokenHeaderName, _retired, BenchHost.AppName);
}

public sealed class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.UseApiTokens();
}
