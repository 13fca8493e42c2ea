using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;
using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Stores;
using ApiTokens.Stores.InMemory;
using ApiTokens.Tests;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ApiTokens.AspNetCore.Tests;

// A real ASP.NET Core app on TestServer with the ApiTokens scheme beside a cookie scheme, the
// in-memory store (optionally wrapped), and endpoints for each R16 case.
internal sealed class ApiHost : IAsyncDisposable
{
    public static readonly ApiTokenActor Alice = new("acme", "alice");
    public static readonly ApiTokenActor Bob = new("acme", "bob");
    public static readonly ApiTokenActor Carol = new("acme", "carol");

    private readonly WebApplication _app;

    private ApiHost(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public InMemoryAccountMembership Members => Services.GetRequiredService<InMemoryAccountMembership>();

    public InMemoryApiTokenStore Store => Services.GetRequiredService<InMemoryApiTokenStore>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public ApiTokens.Secrets.ApiTokenSecretCodec Secrets => Services.GetRequiredService<ApiTokens.Secrets.ApiTokenSecretCodec>();

    public static async Task<ApiHost> StartAsync(
        Action<ApiTokenAuthenticationOptions>? configure = null,
        Action<ApiTokenOptions>? core = null,
        Func<IApiTokenStore, IApiTokenStore>? wrapStore = null,
        Action<WebApplication>? beforeAuthentication = null,
        bool coreOnlyStore = false,
        Action<IServiceCollection>? services = null,
        DateTimeOffset? start = null,
        bool gateways = false)
    {
        var time = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<TimeProvider>(time);
        // The lifecycle sweep (R38) off: on fake time, every Advance past an hour would run one in the
        // background beside the test's own requests. LifecycleSweepTests drive sweeps themselves.
        builder.Services.AddApiTokens(o =>
        {
            o.LifecycleSweepInterval = TimeSpan.Zero;
            core?.Invoke(o);
        }).AddInMemoryStore().AddInMemoryMembership(m =>
        {
            m.SetRole("acme", "alice", TokenPrivilege.Admin);
            m.SetRole("acme", "bob", TokenPrivilege.Normal);
            m.SetRole("acme", "carol", TokenPrivilege.ReadOnly);
        });
        if (wrapStore is not null)
        {
            // Built first, so AddStore keeps it, then registered with every capability (CountingStore has all).
            builder.Services.AddSingleton(sp => (CountingStore)wrapStore(sp.GetRequiredService<InMemoryApiTokenStore>()));
            new ApiTokensBuilder(builder.Services).AddStore<CountingStore>();
        }
        else if (coreOnlyStore)
        {
            // A store with the core contract only, as a third party may write one.
            builder.Services.AddSingleton(sp => new CoreOnlyStore(sp.GetRequiredService<InMemoryApiTokenStore>()));
            new ApiTokensBuilder(builder.Services).AddStore<CoreOnlyStore>();
        }

        services?.Invoke(builder.Services);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o => o.Events.OnRedirectToLogin = c =>
            {
                c.Response.StatusCode = 401;
                return Task.CompletedTask;
            })
            .AddApiTokens(o => configure?.Invoke(o));
        builder.Services.AddAuthorization();
        builder.Services.AddOpenApi(o => o.AddApiTokens());

        var app = builder.Build();
        beforeAuthentication?.Invoke(app);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/read", (ClaimsPrincipal user) => Describe(user)).RequireApiToken();
        app.MapGet("/no-claims", () => "ok").RequireApiToken();
        app.MapPost("/write", (ClaimsPrincipal user) => Describe(user)).RequireApiToken();
        app.MapDelete("/write", (ClaimsPrincipal user) => Describe(user)).RequireApiToken();
        app.MapPut("/admin", (ClaimsPrincipal user) => Describe(user)).RequireApiTokenPrivilege(TokenPrivilege.Admin);
        app.MapGet("/admin-attribute", [RequireApiTokenPrivilege(TokenPrivilege.Admin)] (ClaimsPrincipal user) => Describe(user));
        app.MapPost("/policy", (ClaimsPrincipal user) => Describe(user)).RequireAuthorization(ApiTokenAuthenticationDefaults.PolicyName);
        app.MapGet("/anonymous", (ClaimsPrincipal user) => new { authenticated = user.Identity?.IsAuthenticated ?? false }).AllowAnonymous();
        app.MapGet("/cookie-only", (ClaimsPrincipal user) => Describe(user)).RequireAuthorization();
        app.MapGet("/either", (ClaimsPrincipal user) => Describe(user)).RequireAuthorization(
            new AuthorizationPolicyBuilder(CookieAuthenticationDefaults.AuthenticationScheme, ApiTokenAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        app.MapApiTokens("/api/tokens");
        app.MapApiTokenWebhooks("/api/webhooks");
        if (gateways)
        {
            app.MapApiTokenIntrospection("/api/tokens/introspect");
            app.MapApiTokenForwardAuth("/api/tokens/authz");
        }

        app.MapOpenApi();
        app.MapPost("/member-login/{account}/{user}", async (HttpContext context, string account, string user) =>
        {
            Claim[] claims = [new(ClaimTypes.NameIdentifier, user), new(ClaimsApiTokenActorResolver.AccountIdClaimType, account)];
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Ok();
        }).ExcludeFromDescription();
        app.MapPost("/cookie-login", async (HttpContext context) =>
        {
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "cookie-user")], CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Ok();
        }).ExcludeFromDescription();

        await app.StartAsync();
        return new ApiHost(app, time);
    }

    public async Task<CreatedApiToken> CreateTokenAsync(ApiTokenActor actor, TokenType type = TokenType.User, TokenPrivilege? privilege = null, AppState? defaultAppState = null)
    {
        using var scope = Services.CreateScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>()
            .CreateAsync(actor, new CreateApiTokenRequest { Type = type, Privilege = privilege, DefaultAppState = defaultAppState });
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value;
    }

    public async Task<T> ManageAsync<T>(Func<ApiTokenManager, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<ApiTokenManager>());
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? secret, string? appName = "test-app")
    {
        var request = new HttpRequestMessage(method, path);
        if (secret is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Circonus-Auth-Token", secret);
        }

        if (appName is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Circonus-App-Name", appName);
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    // A client signed in as a member (the host's own cookie scheme), for the management endpoints.
    public async Task<HttpClient> SignInAsync(ApiTokenActor actor)
    {
        var login = await Client.PostAsync($"/member-login/{actor.AccountId}/{actor.UserId}", null);
        login.EnsureSuccessStatusCode();
        var client = _app.GetTestClient();
        foreach (var cookie in login.Headers.GetValues("Set-Cookie"))
        {
            client.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        }

        return client;
    }

    public Task<HttpResponseMessage> GetAsync(string secret, string? appName = "test-app", string path = "/read")
        => Client.SendAsync(Request(HttpMethod.Get, path, secret, appName));

    public static HttpRequestMessage Basic(HttpMethod method, string path, string appName, string secret)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(appName + ":" + secret)));
        return request;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.AreEqual(status, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual(code, body.GetProperty("code").GetString());
        Assert.AreEqual(status, body.GetProperty("status").GetInt32());
        Assert.IsFalse(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        Assert.IsFalse(string.IsNullOrWhiteSpace(body.GetProperty("explanation").GetString()));
        Assert.IsFalse(string.IsNullOrWhiteSpace(body.GetProperty("reference").GetString()));
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }

    private static Dictionary<string, string?> Describe(ClaimsPrincipal user)
    {
        var result = new Dictionary<string, string?> { ["name"] = user.Identity?.Name };
        foreach (var claim in user.Claims)
        {
            result[claim.Type] = claim.Value;
        }

        return result;
    }
}
