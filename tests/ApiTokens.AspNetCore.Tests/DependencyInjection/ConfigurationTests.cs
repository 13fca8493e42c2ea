using ApiTokens.AspNetCore.Authentication;
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
    [TestCategory("R43")]
    public async Task AValueThatDoesNotConvert_StopsTheHostAtStart_NamingTheKeyTheValueAndTheForm()
    {
        await using var app = Build(new() { ["ApiTokens:CacheLifetime"] = "bogus" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains("ApiTokens:CacheLifetime is 'bogus', which is not a duration written [d.]hh:mm:ss, such as 00:00:30", error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    public async Task AValueOutOfRange_NamesTheValueAsItWasRead_AndTheRangeInTheSameForm()
    {
        // "30" meant as seconds is 30 days to .NET.
        await using var app = Build(new() { ["ApiTokens:CacheLifetime"] = "30" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains("CacheLifetime is 30.00:00:00 (30 days); it must be between 00:00:00 and 01:00:00, e.g. 00:00:30", error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    [DataRow("ApiTokens:CacheLifetme", "00:00:10", "ApiTokens:CacheLifetme is not a setting of ApiTokens; did you mean ApiTokens:CacheLifetime?")]
    [DataRow("ApiTokens:Bootsrap:AccountId", "acme", "did you mean ApiTokens:Bootstrap?")]
    [DataRow("ApiTokens:DefaultRateLimit:Limt", "10", "ApiTokens:DefaultRateLimit:Limt is not a setting of ApiTokens:DefaultRateLimit; did you mean ApiTokens:DefaultRateLimit:Limit?")]
    [DataRow("ApiTokens:Colour", "blue", "ApiTokens:Colour is not a setting of ApiTokens; its settings are DefaultAppState, MaxAppsPerToken")]
    [DataRow("ApiTokens:Bootstrap:Privlege", "Admin", "ApiTokens:Bootstrap:Privlege is not a setting of ApiTokens:Bootstrap; did you mean ApiTokens:Bootstrap:Privilege?")]
    [DataRow("ApiTokens:Webhooks:Timout", "00:00:05", "did you mean ApiTokens:Webhooks:Timeout?")]
    [DataRow("ApiTokens:LeakReports:RetryAftr", "00:00:05", "did you mean ApiTokens:LeakReports:RetryAfter?")]
    [DataRow("Authentication:Schemes:ApiTokens:TokenHeadrName", "X-Api-Key", "Authentication:Schemes:ApiTokens:TokenHeadrName is not a setting of Authentication:Schemes:ApiTokens; did you mean Authentication:Schemes:ApiTokens:TokenHeaderName?")]
    public async Task AKeyNoOptionHas_StopsTheHostAtStart_NamingTheNearestKey(string key, string value, string message)
    {
        await using var app = Build(new() { ["ApiTokens:Bootstrap:AccountId"] = "acme", ["ApiTokens:Bootstrap:Secret"] = "bootstrap-0123456789abcdef", [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(message, error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    [DataRow("ApiTokens:DefaultAppState", "Pendng", "ApiTokens:DefaultAppState is 'Pendng', which is not one of Allow, Pending, Deny.")]
    [DataRow("ApiTokens:DefaultAppState", "1", "ApiTokens:DefaultAppState is '1', which is not one of Allow, Pending, Deny.")]
    [DataRow("ApiTokens:Bootstrap:Privilege", "Root", "ApiTokens:Bootstrap:Privilege is 'Root', which is not one of ReadOnly, Normal, Admin.")]
    [DataRow("ApiTokens:CountUsage", "yes", "ApiTokens:CountUsage is 'yes', which is not true or false.")]
    [DataRow("ApiTokens:MaxAppsPerToken", "1k", "ApiTokens:MaxAppsPerToken is '1k', which is not a whole number")]
    [DataRow("ApiTokens:CacheLifetime", "", "ApiTokens:CacheLifetime is empty; it needs a duration")]
    [DataRow("ApiTokens:CacheLifetime:Seconds", "30", "ApiTokens:CacheLifetime is one value (a duration")]
    [DataRow("ApiTokens:Webhooks:RetrySchedule", "00:00:05", "ApiTokens:Webhooks:RetrySchedule is a list: give its items as ApiTokens:Webhooks:RetrySchedule:0")]
    [DataRow("ApiTokens:Webhooks:RetrySchedule:first", "00:00:05", "ApiTokens:Webhooks:RetrySchedule:first: ApiTokens:Webhooks:RetrySchedule is a list")]
    [DataRow("ApiTokens:Webhooks:RetrySchedule:0", "5s", "ApiTokens:Webhooks:RetrySchedule:0 is '5s', which is not a duration")]
    [DataRow("Authentication:Schemes:ApiTokens:AllowBasicAuthorization", "no", "Authentication:Schemes:ApiTokens:AllowBasicAuthorization is 'no', which is not true or false.")]
    public async Task AValueOfTheWrongForm_NamesTheKeyTheValueAndTheForm(string key, string value, string message)
    {
        await using var app = Build(new() { ["ApiTokens:Bootstrap:AccountId"] = "acme", ["ApiTokens:Bootstrap:Secret"] = "bootstrap-0123456789abcdef", [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(message, error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    [DataRow("ApiTokens:Webhooks:PollInterval", "00:00:00.010", "ApiTokens:Webhooks:PollInterval is 00:00:00.0100000 (10 milliseconds); it must be between 00:00:00.1000000 and 00:10:00")]
    [DataRow("ApiTokens:LeakReports:RetryAfter", "2", "ApiTokens:LeakReports:RetryAfter is 2.00:00:00 (2 days); it must be between 00:00:01 and 01:00:00, e.g. 00:01:00.")]
    [DataRow("ApiTokens:DefaultLifetime", "0", "DefaultLifetime is 00:00:00 (zero); it must be more than 00:00:00 and at most")]
    [DataRow("ApiTokens:MaxAppsPerToken", "0", "MaxAppsPerToken is 0; it must be between 1 and")]
    public async Task EveryRangeMessage_NamesTheValueAsItWasRead(string key, string value, string message)
    {
        await using var app = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(message, error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    [DataRow("Secret", "ApiTokens:Bootstrap:Secret is empty")]
    [DataRow("SecretSha256", "ApiTokens:Bootstrap:SecretSha256 is empty")]
    [DataRow("AccountId", "ApiTokens:Bootstrap:AccountId is empty")]
    public async Task AnEmptyRequiredBootstrapKey_IsTheKeyNamed(string key, string message)
    {
        // ApiTokens__Bootstrap__Secret= in a shell: the key is there with an empty value.
        await using var app = Build(new() { [$"ApiTokens:Bootstrap:{key}"] = "" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(message, error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    public async Task TheSchemesSection_IsBound_AndCodeWins()
    {
        await using var app = Build(new()
        {
            ["Authentication:Schemes:ApiTokens:TokenHeaderName"] = "X-Api-Key",
            ["Authentication:Schemes:ApiTokens:AllowBasicAuthorization"] = "false",
            ["Authentication:Schemes:ApiTokens:PendingAppHint"] = "Ask your administrator to approve the app.",
            ["Authentication:Schemes:ApiTokens:Realm"] = "from-config",
        }, scheme: o => o.Realm = "code");

        await app.StartAsync(TestContext.CancellationToken);
        var options = app.Services.GetRequiredService<IOptionsMonitor<ApiTokenAuthenticationOptions>>().Get(ApiTokenAuthenticationDefaults.AuthenticationScheme);

        Assert.AreEqual("X-Api-Key", options.TokenHeaderName);
        Assert.IsFalse(options.AllowBasicAuthorization);
        Assert.AreEqual("Ask your administrator to approve the app.", options.PendingAppHint);
        Assert.AreEqual("code", options.Realm);
        await app.StopAsync(TestContext.CancellationToken);
    }

    [TestMethod]
    [TestCategory("R43")]
    public async Task ASchemeSettingOutOfItsRules_StopsTheStart_NotTheFirstRequest()
    {
        await using var app = Build(new() { ["Authentication:Schemes:ApiTokens:TokenHeaderName"] = "X Api Key" });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains("TokenHeaderName 'X Api Key' is not a valid header name", error.Message);
    }

    [TestMethod]
    [TestCategory("R43")]
    public async Task EveryProblemOfASection_IsReportedAtOnce()
    {
        await using var app = Build(new() { ["ApiTokens:CacheLifetme"] = "00:00:10", ["ApiTokens:DefaultAppState"] = "Pendng" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.HasCount(2, error.Failures);
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
    private static WebApplication Build(Dictionary<string, string?> settings, Action<ApiTokenOptions>? configure = null, Action<ApiTokenAuthenticationOptions>? scheme = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddApiTokens(configure).AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens(scheme ?? (_ => { }));
        return builder.Build();
    }
}
