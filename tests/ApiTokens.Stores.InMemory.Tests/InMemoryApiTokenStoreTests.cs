using ApiTokens.Stores.Specification;
using Microsoft.Extensions.DependencyInjection;

[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

namespace ApiTokens.Stores.InMemory.Tests;

[TestClass]
public sealed class InMemoryApiTokenStoreTests : ApiTokenStoreSpecification
{
    protected override Task<IApiTokenStore> CreateStoreAsync() => Task.FromResult<IApiTokenStore>(new InMemoryApiTokenStore());

    [TestMethod]
    public void AddInMemoryStore_CalledTwice_RegistersOneSingletonStore()
    {
        var services = new ServiceCollection();
        services.AddApiTokens().AddInMemoryStore().AddInMemoryStore();
        using var provider = services.BuildServiceProvider();

        Assert.AreEqual(1, services.Count(d => d.ServiceType == typeof(IApiTokenStore)));
        Assert.AreSame(provider.GetRequiredService<InMemoryApiTokenStore>(), provider.GetRequiredService<IApiTokenStore>());
    }

    [TestMethod]
    public async Task CreateAsync_CopiesTheHash_SoCallerMutationCannotCorruptTheIndex()
    {
        var store = new InMemoryApiTokenStore();
        var token = NewToken(NewAccount());
        var original = (byte[])token.SecretHash.Clone();
        await store.TryCreateAsync(token, int.MaxValue, null, TestContext.CancellationToken);

        token.SecretHash[0] ^= 0xFF;

        Assert.IsNotNull(await store.FindBySecretHashAsync(original, includeRetired: false, TestContext.CancellationToken));
    }

    [TestMethod]
    public void AddInMemoryStore_RegistersEveryCapability_AsTheOneStore()
    {
        var services = new ServiceCollection();
        services.AddApiTokens().AddInMemoryStore();
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<InMemoryApiTokenStore>();
        Assert.AreSame(store, provider.GetRequiredService<IApiTokenBatchLookupStore>());
        Assert.AreSame(store, provider.GetRequiredService<IApiTokenAuditStore>());
        Assert.AreSame(store, provider.GetRequiredService<IApiTokenUsageStore>());
        Assert.AreSame(store, provider.GetRequiredService<IApiTokenOutboxStore>());
    }
}

[TestClass]
public sealed class InMemoryBatchLookupStoreTests : ApiTokenBatchLookupStoreSpecification
{
    protected override Task<IApiTokenBatchLookupStore> CreateStoreAsync() => Task.FromResult<IApiTokenBatchLookupStore>(new InMemoryApiTokenStore());
}

[TestClass]
public sealed class InMemoryAuditStoreTests : ApiTokenAuditStoreSpecification
{
    protected override Task<IApiTokenAuditStore> CreateStoreAsync() => Task.FromResult<IApiTokenAuditStore>(new InMemoryApiTokenStore());
}

[TestClass]
public sealed class InMemoryUsageStoreTests : ApiTokenUsageStoreSpecification
{
    protected override Task<IApiTokenUsageStore> CreateStoreAsync() => Task.FromResult<IApiTokenUsageStore>(new InMemoryApiTokenStore());
}

[TestClass]
public sealed class InMemoryOutboxStoreTests : ApiTokenOutboxStoreSpecification
{
    private readonly InMemoryApiTokenStore _store = new();

    protected override Task<IApiTokenOutboxStore> CreateStoreAsync() => Task.FromResult<IApiTokenOutboxStore>(_store);
}

[TestClass]
public sealed class InMemoryWebhookStoreTests : ApiTokenWebhookStoreSpecification
{
    protected override Task<IApiTokenWebhookStore> CreateStoreAsync() => Task.FromResult<IApiTokenWebhookStore>(new InMemoryApiTokenStore());
}

[TestClass]
public sealed class InMemoryLifecycleStoreTests : ApiTokenLifecycleStoreSpecification
{
    protected override Task<IApiTokenLifecycleStore> CreateStoreAsync() => Task.FromResult<IApiTokenLifecycleStore>(new InMemoryApiTokenStore());
}
