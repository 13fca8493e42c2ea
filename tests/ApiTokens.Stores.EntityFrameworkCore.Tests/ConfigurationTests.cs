using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// Configuration errors stop the host at start with a message that says what to fix; only real
// database outages are ApiTokenStoreException (503).
[TestClass]
public sealed class ConfigurationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ModelWithoutUseApiTokens_FailsAtStartWithAClearMessage()
    {
        using var services = Services<NoTablesContext>(s => s.AddDbContextFactory<NoTablesContext>(o => o.UseSqlite("Data Source=:memory:")));

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => services.GetRequiredService<IOptions<ApiTokenOptions>>().Value);

        Assert.Contains("modelBuilder.UseApiTokens()", error.Message);
        Assert.Contains(nameof(NoTablesContext), error.Message);
    }

    [TestMethod]
    public void NoContextFactory_FailsAtStartWithAClearMessage()
    {
        using var services = Services<TestDbContext>(_ => { });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => services.GetRequiredService<IOptions<ApiTokenOptions>>().Value);

        Assert.Contains("AddDbContextFactory<TestDbContext>", error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    public void NoContextFactory_InDevelopment_IsTheLibrarysMessage_NotTheContainers()
    {
        // Development builds the container with ValidateOnBuild: a store the container had to construct
        // from its constructor would fail there with "Some services are not able to be constructed".
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiTokens().AddEntityFrameworkCoreStore<TestDbContext>().AddInMemoryMembership();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var error = Assert.ThrowsExactly<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiTokenOptions>>().Value);

        Assert.Contains("AddDbContextFactory<TestDbContext>", error.Message);
    }

    [TestMethod]
    public void SqliteWithTheModel_Starts()
    {
        using var services = Services<TestDbContext>(s => s.AddDbContextFactory<TestDbContext>(o => o.UseSqlite("Data Source=:memory:")));

        Assert.IsNotNull(services.GetRequiredService<IOptions<ApiTokenOptions>>().Value);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task ModelWithoutUseApiTokens_IsNotReportedAsAStoreOutage()
    {
        var store = new EntityFrameworkCoreApiTokenStore<NoTablesContext>(new Factory<NoTablesContext>(() => new NoTablesContext(new DbContextOptionsBuilder<NoTablesContext>().UseSqlite("Data Source=:memory:").Options)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.FindByIdAsync("x", TestContext.CancellationToken));

        Assert.IsNotInstanceOfType<ApiTokenStoreException>(error);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task UnreachableSqliteFile_IsAStoreOutage()
    {
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "none", "apitokens.db");
        var store = new EntityFrameworkCoreApiTokenStore<TestDbContext>(new OptionsFactory(Databases.Sqlite($"Data Source={missing};Mode=ReadWrite")));

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.FindByIdAsync("x", TestContext.CancellationToken));
    }

    private static ServiceProvider Services<TContext>(Action<IServiceCollection> register)
        where TContext : DbContext
    {
        var services = new ServiceCollection();
        services.AddLogging();
        register(services);
        services.AddApiTokens().AddEntityFrameworkCoreStore<TContext>().AddInMemoryMembership();
        return services.BuildServiceProvider();
    }

    private sealed class Factory<TContext>(Func<TContext> create) : IDbContextFactory<TContext>
        where TContext : DbContext
    {
        public TContext CreateDbContext() => create();
    }
}

public sealed class NoTablesContext(DbContextOptions<NoTablesContext> options) : DbContext(options);
