using ApiTokens.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Tests;

// A host that forgets a piece learns at start which call to add.
[TestClass]
public sealed class RegistrationTests
{
    [TestMethod]
    public void NoMembership_FailsAtStart_NamingTheCallToAdd()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiTokens().AddInMemoryStore();
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiTokenOptions>>().Value);

        Assert.Contains(nameof(IAccountMembership), error.Message);
        Assert.Contains(".AddMembership<", error.Message);
        Assert.Contains(".AddInMemoryMembership(", error.Message);
    }

    [TestMethod]
    public void NoStore_FailsAtStart_NamingTheStorePackages()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiTokens().AddInMemoryMembership();
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiTokenOptions>>().Value);

        Assert.Contains(".AddInMemoryStore()", error.Message);
        Assert.Contains("ApiTokens.Stores.EntityFrameworkCore", error.Message);
    }

    [TestMethod]
    public void StoreAndMembership_Start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        using var provider = services.BuildServiceProvider();

        Assert.IsNotNull(provider.GetRequiredService<IOptions<ApiTokenOptions>>().Value);
    }
}
