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
    [TestCategory("R42")]
    public async Task DeclaredScopes_ComeFromTheSection_ColonsInTheirNamesIncluded()
    {
        // JSON's "Scopes": { "annotation:read": "..." } arrives as the key ApiTokens:Scopes:annotation:read.
        await using var app = Build(new()
        {
            ["ApiTokens:Scopes:annotation:read"] = "Read annotations",
            ["ApiTokens:Scopes:annotation:write"] = "Write annotations",
            ["ApiTokens:RequireScopeForScopedTokens"] = "true",
        }, o => o.Scopes["user:read"] = "Read users");

        await app.StartAsync(TestContext.CancellationToken);
        var options = app.Services.GetRequiredService<IOptions<ApiTokenOptions>>().Value;

        CollectionAssert.AreEquivalent(new[] { "annotation:read", "annotation:write", "user:read" }, options.Scopes.Keys.ToArray());
        Assert.AreEqual("Read annotations", options.Scopes["annotation:read"]);
        Assert.IsTrue(options.RequireScopeForScopedTokens);
        await app.StopAsync(TestContext.CancellationToken);
    }

    [TestMethod]
    [TestCategory("R42")]
    [DataRow("ApiTokens:Scopes:Annotation:Read", "Read", DisplayName = "upper case")]
    [DataRow("ApiTokens:Scopes:annotation", "Read", DisplayName = "no action")]
    [DataRow("ApiTokens:Scopes:annotation:*", "Every action", DisplayName = "a wildcard is not declared")]
    [DataRow("ApiTokens:Scopes:annotation:read", " ", DisplayName = "no description")]
    public async Task AMalformedDeclaredScope_StopsTheHostAtStart(string key, string description)
    {
        await using var app = Build(new() { [key] = description });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(nameof(ApiTokenOptions.Scopes), error.Message);
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
