using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using ApiTokens.Stores.InMemory;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ApiTokens.Tests;

// One account setup for every manager and validator test: acme (alice Admin, bob Normal,
// carol ReadOnly, erin Normal) and globex (dave Admin).
internal sealed class Harness : IDisposable
{
    public static readonly ApiTokenActor Alice = new("acme", "alice");
    public static readonly ApiTokenActor Bob = new("acme", "bob");
    public static readonly ApiTokenActor Carol = new("acme", "carol");
    public static readonly ApiTokenActor Erin = new("acme", "erin");
    public static readonly ApiTokenActor Dave = new("globex", "dave");

    private readonly ServiceProvider _services;
    private readonly IServiceScope _scope;

    private Harness(Action<ApiTokenOptions>? configure, Func<IApiTokenStore, IApiTokenStore>? wrapStore, Action<IServiceCollection>? more)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IApiTokenChangeListener>(Changes);
        services.AddApiTokens(configure).AddInMemoryStore().AddInMemoryMembership(m =>
        {
            m.SetRole("acme", "alice", TokenPrivilege.Admin);
            m.SetRole("acme", "bob", TokenPrivilege.Normal);
            m.SetRole("acme", "carol", TokenPrivilege.ReadOnly);
            m.SetRole("acme", "erin", TokenPrivilege.Normal);
            m.SetRole("globex", "dave", TokenPrivilege.Admin);
        });
        if (wrapStore is not null)
        {
            // Built first, so AddStore keeps it, then registered with its capabilities.
            services.AddSingleton(sp => (CountingStore)wrapStore(sp.GetRequiredService<InMemoryApiTokenStore>()));
            new ApiTokensBuilder(services).AddStore<CountingStore>();
        }

        more?.Invoke(services);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _scope = _services.CreateScope();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public RecordingChangeListener Changes { get; } = new();

    public InMemoryAccountMembership Members => _services.GetRequiredService<InMemoryAccountMembership>();

    public InMemoryApiTokenStore Store => _services.GetRequiredService<InMemoryApiTokenStore>();

    public ApiTokenManager Manager => _scope.ServiceProvider.GetRequiredService<ApiTokenManager>();

    public ApiTokenValidator Validator => _services.GetRequiredService<ApiTokenValidator>();

    public ApiTokenSecretCodec Secrets => _services.GetRequiredService<ApiTokenSecretCodec>();

    public IServiceProvider Services => _services;

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public static Harness Create(Action<ApiTokenOptions>? configure = null, Func<IApiTokenStore, IApiTokenStore>? wrapStore = null, Action<IServiceCollection>? services = null)
        => new(configure, wrapStore, services);

    public async Task<CreatedApiToken> CreateAsync(
        ApiTokenActor actor,
        TokenType type = TokenType.User,
        TokenPrivilege? privilege = null,
        AppState? defaultAppState = null,
        string? description = null)
    {
        var result = await Manager.CreateAsync(actor, new CreateApiTokenRequest { Type = type, Privilege = privilege, DefaultAppState = defaultAppState, Description = description });
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value;
    }

    public void Dispose()
    {
        _scope.Dispose();
        _services.Dispose();
    }
}

internal sealed class RecordingChangeListener : IApiTokenChangeListener
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _changed = new();

    public IReadOnlyCollection<string> Changed => _changed;

    public void OnTokenChanged(string tokenId) => _changed.Enqueue(tokenId);
}
