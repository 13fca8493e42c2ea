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

    // Development hosts validate every registration when the provider is built (ValidateOnBuild),
    // before any options validation: that must not pre-empt the message above with DI's generic
    // "Unable to resolve service for type IApiTokenStore while attempting to activate ...".
    [TestMethod]
    [DataRow(true, false)]
    [DataRow(false, true)]
    public void MissingPiece_WithValidateOnBuild_StillFailsAtStartNamingTheCall(bool store, bool membership)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddApiTokens();
        if (store)
        {
            builder.AddInMemoryStore();
        }

        if (membership)
        {
            builder.AddInMemoryMembership();
        }

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiTokenOptions>>().Value);
        Assert.Contains(store ? ".AddInMemoryMembership(" : ".AddInMemoryStore()", error.Message);
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
