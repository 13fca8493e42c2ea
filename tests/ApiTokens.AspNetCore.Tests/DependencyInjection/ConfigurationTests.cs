using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Tests.DependencyInjection;

// AddApiTokens() reads the "ApiTokens" configuration section of any host, as ASP.NET Core's schemes
// read theirs: code configuration applies after it, a value that does not convert or is out of
// range stops the host at start naming the key, and a reload reaches IOptionsMonitor's listeners
// (the cache follows CacheLifetime through them).
[TestClass]
public sealed class ConfigurationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TheApiTokensSection_IsBoundByDefault_AndCodeConfigurationWins()
    {
        await using var app = Build(new()
        {
            ["ApiTokens:CacheLifetime"] = "00:00:07",
            ["ApiTokens:MaxAppsPerToken"] = "12",
            ["ApiTokens:SecretPrefix"] = "acme",
        }, o => o.SecretPrefix = "code");

        await app.StartAsync(TestContext.CancellationToken);
        var options = app.Services.GetRequiredService<IOptions<ApiTokenOptions>>().Value;

        Assert.AreEqual(TimeSpan.FromSeconds(7), options.CacheLifetime);
        Assert.AreEqual(12, options.MaxAppsPerToken);
        Assert.AreEqual("code", options.SecretPrefix, "code configuration is applied after the section");
        await app.StopAsync(TestContext.CancellationToken);
    }

    [TestMethod]
    public async Task AValueThatDoesNotConvert_StopsTheHostAtStart_NamingTheKey()
    {
        await using var app = Build(new() { ["ApiTokens:CacheLifetime"] = "bogus" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains("ApiTokens:CacheLifetime", error.Message);
        Assert.Contains("System.TimeSpan", error.Message, "and what it must be");
    }

    [TestMethod]
    public async Task AValueOutOfRange_StopsTheHostAtStart_NamingTheOption()
    {
        await using var app = Build(new() { ["ApiTokens:CacheLifetime"] = "02:00:00" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(nameof(ApiTokenOptions.CacheLifetime), error.Message);
    }

    [TestMethod]
    public async Task AReloadOfTheSection_ReachesOptionsListeners()
    {
        var settings = new Dictionary<string, string?> { ["ApiTokens:CacheLifetime"] = "00:00:07" };
        await using var app = Build(settings);
        await app.StartAsync(TestContext.CancellationToken);
        var monitor = app.Services.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>();
        var seen = new List<TimeSpan>();
        using var subscription = monitor.OnChange(o => seen.Add(o.CacheLifetime));

        app.Configuration["ApiTokens:CacheLifetime"] = "00:00:09";
        ((IConfigurationRoot)app.Configuration).Reload();

        Assert.AreEqual(TimeSpan.FromSeconds(9), monitor.CurrentValue.CacheLifetime);
        CollectionAssert.Contains(seen, TimeSpan.FromSeconds(9), "listeners (the cache among them) hear of the reload");
        await app.StopAsync(TestContext.CancellationToken);
    }

    // A Development host (ValidateOnBuild, as `dotnet run` uses) on TestServer.
    private static WebApplication Build(Dictionary<string, string?> settings, Action<ApiTokenOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddApiTokens(configure).AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens();
        return builder.Build();
    }
}
