using ApiTokens.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.AspNetCore.Tests.DependencyInjection;

// A host missing one of the calls ApiTokens needs is told which call to add, in Development (as
// `dotnet run` starts) as in Production: never DI's "Unable to resolve service" first.
[TestClass]
public sealed class StartupErrorTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("Development")]
    [DataRow("Production")]
    public void MapApiTokens_WithoutTheScheme_NamesTheCallToAdd(string environment)
    {
        var builder = Builder(environment);
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapApiTokens("/api/tokens"));

        Assert.Contains("AddAuthentication().AddApiTokens()", error.Message);
    }

    [TestMethod]
    public async Task OpenApiAddApiTokens_WithoutTheScheme_TheDocumentNamesTheCallToAdd()
    {
        var builder = Builder("Development");
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddOpenApi(o => o.AddApiTokens());
        await using var app = builder.Build();
        app.MapOpenApi();
        await app.StartAsync(TestContext.CancellationToken);

        // Development's exception page shows the error where the document was asked for.
        var response = await app.GetTestClient().GetAsync("/openapi/v1.json", TestContext.CancellationToken);
        var error = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);

        Assert.AreEqual(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("InvalidOperationException: options.AddApiTokens() on AddOpenApi needs the ApiTokens authentication scheme", error);
        Assert.Contains("AddAuthentication().AddApiTokens()", error);
    }

    [TestMethod]
    public async Task RequireApiToken_WithoutTheScheme_TheHostStopsAtStart_NamingTheCallToAdd()
    {
        var builder = Builder("Development");
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.MapGet("/v2/thing", () => "ok").RequireApiToken();

        // The authorization middleware reads every endpoint's policy when the host starts.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains("RequireApiToken needs the ApiTokens authentication scheme", error.Message);
        Assert.Contains("AddAuthentication().AddApiTokens()", error.Message);
    }

    [TestMethod]
    [DataRow("Development")]
    [DataRow("Production")]
    public async Task NoStore_NoMembership_TheHostStopsAtStart_NamingBothCalls(string environment)
    {
        var builder = Builder(environment);
        builder.Services.AddAuthentication().AddApiTokens();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync(TestContext.CancellationToken));

        Assert.Contains(".AddInMemoryStore()", error.Message);
        Assert.Contains(".AddMembership<YourMembership>()", error.Message);
    }

    [TestMethod]
    public void MapApiTokens_WithoutASignInScheme_WarnsThatEveryRequestWillBe401()
    {
        var builder = Builder("Development");
        builder.Logging.AddFakeLogging();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens();
        using var app = builder.Build();

        app.MapApiTokens("/api/tokens");

        var warning = app.Services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Id == 40);
        Assert.AreEqual(LogLevel.Warning, warning.Level);
        Assert.Contains("AddCookie()", warning.Message);
    }

    [TestMethod]
    public void MapApiTokens_WithACookieScheme_NoWarning()
    {
        var builder = Builder("Development");
        builder.Logging.AddFakeLogging();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddApiTokens();
        using var app = builder.Build();

        app.MapApiTokens("/api/tokens");

        Assert.IsFalse(app.Services.GetFakeLogCollector().GetSnapshot().Any(r => r.Id.Id == 40));
        Assert.IsNotNull(app.Services.GetService<IApiTokenActorResolver>());
    }

    private static WebApplicationBuilder Builder(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        return builder;
    }
}
