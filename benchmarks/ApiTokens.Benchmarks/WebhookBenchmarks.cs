using ApiTokens.AspNetCore.Webhooks;
using ApiTokens.Management;
using ApiTokens.Stores;
using ApiTokens.Stores.EntityFrameworkCore.Tests;
using ApiTokens.Webhooks;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Benchmarks;

// R37's cost on a change: a token created, and a token changed (a versioned update with its audit
// record, as a retirement is), through ApiTokenManager on the EF store, on SQLite and PostgreSQL.
// "before": the same store without the webhook capability (no event is built, nothing fans out);
// then with the capability and 0, 1 or 5 endpoints on the account (the event built; one delivery
// row per endpoint in the change's SaveChanges). The sender does not run here.
[Config(typeof(BenchConfig))]
public class WebhookOutboxBenchmarks
{
    private DatabaseBench _bench = null!;
    private BenchHost _host = null!;
    private ApiTokenDetails _token = null!;
    private int _changes;
    private static readonly ApiTokenActor s_alice = new("acme", "alice");

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [Params("before (no webhook store)", "0 endpoints", "1 endpoint", "5 endpoints")]
    public string Webhooks { get; set; } = "1 endpoint";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _bench = await DatabaseBench.StartAsync(Store, coreOnly: Webhooks.StartsWith("before", StringComparison.Ordinal));
        _host = _bench.Host;
        var endpoints = Webhooks switch { "1 endpoint" => 1, "5 endpoints" => 5, _ => 0 };
        for (var i = 0; i < endpoints; i++)
        {
            await _host.Services.GetRequiredService<IApiTokenWebhookStore>().CreateWebhookAsync(
                new ApiTokenWebhook
                {
                    Id = Guid.NewGuid().ToString("N"),
                    AccountId = "acme",
                    Url = $"https://203.0.113.{i + 1}/hook",
                    ProtectedSecret = "benchmark",
                    CreatedBy = "alice",
                    CreatedAt = DateTimeOffset.UtcNow,
                },
                CancellationToken.None);
        }

        await using var scope = _host.Services.CreateAsyncScope();
        _token = (await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(s_alice, new CreateApiTokenRequest { Type = TokenType.User })).Value!.Details;
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _bench.DisposeAsync().AsTask();

    [Benchmark(Description = "Create a token")]
    public async Task<ApiTokenResult<CreatedApiToken>> Create()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().CreateAsync(s_alice, new CreateApiTokenRequest { Type = TokenType.User, Description = "benchmark" });
    }

    [Benchmark(Description = "Change a token (versioned update, as retire)")]
    public async Task<ApiTokenResult<ApiTokenDetails>> Change()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>()
            .UpdateAsync(s_alice, _token.Token.Id, new UpdateApiTokenRequest { Description = "change " + ++_changes });
        _token = result.Value!;
        return result;
    }
}

// Deliveries per second from a durable outbox on PostgreSQL to a local receiver (Kestrel, 204 at
// once), drained by one node's sender or by two nodes' senders claiming side by side (each its own
// service provider and connection pool). Each operation drains 256 deliveries written just before it.
[Config(typeof(BenchConfig))]
public class WebhookDeliveryBenchmarks
{
    private const int Deliveries = 256;
    private PostgresCluster _cluster = null!;
    private WebApplication _receiver = null!;
    private readonly List<BenchHost> _nodes = [];
    private string _webhookId = null!;
    private IApiTokenWebhookStore _store = null!;

    [Params(1, 2)]
    public int Nodes { get; set; } = 1;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/hook", () => Results.NoContent());
        await _receiver.StartAsync();
        var url = _receiver.Urls.Single() + "/hook";

        _cluster = await PostgresCluster.StartAsync();
        var connection = _cluster.ConnectionString("postgres");
        for (var i = 0; i < Nodes; i++)
        {
            _nodes.Add(BenchHost.Create(
                b => { b.Services.AddPooledDbContextFactory<BenchDbContext>(o => o.UseNpgsql(connection)); b.AddEntityFrameworkCoreStore<BenchDbContext>(); },
                services2: s => s.Configure<ApiTokenWebhookOptions>(o => o.AllowPrivateNetworks = true)));
        }

        await using (var context = await _nodes[0].Services.GetRequiredService<IDbContextFactory<BenchDbContext>>().CreateDbContextAsync())
        {
            await context.Database.EnsureCreatedAsync();
        }

        _store = _nodes[0].Services.GetRequiredService<IApiTokenWebhookStore>();
        var protector = _nodes[0].Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(ApiTokenWebhookManager.SecretProtectionPurpose);
        _webhookId = (await _store.CreateWebhookAsync(
            new ApiTokenWebhook
            {
                Id = Guid.NewGuid().ToString("N"),
                AccountId = "acme",
                Url = url,
                ProtectedSecret = protector.Protect("whsec_" + Convert.ToBase64String(new byte[32])),
                CreatedBy = "alice",
                CreatedAt = DateTimeOffset.UtcNow,
            },
            CancellationToken.None)).Id;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [IterationSetup]
    public void Enqueue()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Deliveries; i++)
        {
            _store.AddDeliveryAsync(
                new ApiTokenWebhookDelivery
                {
                    Id = Guid.NewGuid().ToString("N"),
                    WebhookId = _webhookId,
                    AccountId = "acme",
                    EventId = Guid.NewGuid().ToString("N"),
                    Type = ApiTokenEventTypes.Created,
                    Payload = """{"type":"token.created","timestamp":"2026-12-07T00:00:00Z","data":{"token":{"id":"0123456789abcdef01234567"}}}""",
                    CreatedAt = now,
                    NextAttemptAt = now,
                },
                CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Description = "Send 256 deliveries", OperationsPerInvoke = Deliveries)]
    [InvocationCount(1)]
    public Task Drain() => Task.WhenAll(_nodes.Select(async node =>
    {
        var sender = node.Services.GetRequiredService<WebhookSender>();
        while (await sender.SendDueAsync(CancellationToken.None) > 0)
        {
        }
    }));
}
