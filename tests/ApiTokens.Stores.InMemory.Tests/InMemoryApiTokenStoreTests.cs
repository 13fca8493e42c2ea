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

        Assert.IsNotNull(await store.FindActiveBySecretHashAsync(original, TestContext.CancellationToken));
    }
}
