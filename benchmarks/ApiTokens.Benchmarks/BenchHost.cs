using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using ApiTokens.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ApiTokens.Benchmarks;

// The services every benchmark authenticates against: ApiTokens (cached and uncached), JwtBearer
// with an HS256 key, and ASP.NET's BearerToken (data protection), all through their own handlers.
// The cache belongs to the validation flow, one per application, so "ApiTokensNoCache" is a second
// service provider with CacheLifetime = 0 over the same store instance.
public sealed class BenchHost : IAsyncDisposable
{
    public const string ApiTokens = ApiTokenAuthenticationDefaults.AuthenticationScheme;
    public const string ApiTokensNoCache = "ApiTokensNoCache";
    public const string Jwt = "Jwt";
    public const string Bearer = "BearerToken";
    public const string Floor = "Floor";
    public const string AppName = "benchmark-app";

    private static readonly byte[] s_jwtKey = Encoding.UTF8.GetBytes("a benchmark-only HS256 key of at least 256 bits!!");

    private readonly ServiceProvider _noCache;

    private BenchHost(ServiceProvider services, ServiceProvider noCache)
    {
        Services = services;
        _noCache = noCache;
    }

    public ServiceProvider Services { get; }

    public static BenchHost Create(Action<ApiTokensBuilder>? store = null, long cacheSize = 100_000, Action<ApiTokenOptions>? configure = null, Action<ApiTokenAuthenticationOptions>? scheme = null, Action<AuthenticationBuilder>? authentication = null, Action<IServiceCollection>? services2 = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services2?.Invoke(services);
        var tokens = services.AddApiTokens(o =>
        {
            o.CacheSizeLimit = cacheSize;

            // The scale benchmarks give one member up to a million tokens.
            o.MaxActiveTokensPerUser = 1_000_000;
            configure?.Invoke(o);
        }).AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
        if (store is null)
        {
            tokens.AddInMemoryStore();
        }
        else
        {
            store(tokens);
        }

        var schemes = services.AddAuthentication()
            .AddApiTokens(o => scheme?.Invoke(o))
            .AddJwtBearer(Jwt, ConfigureJwt)
            .AddBearerToken(Bearer)
            .AddScheme<AuthenticationSchemeOptions, FloorHandler>(Floor, null);
        authentication?.Invoke(schemes);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        var uncached = new ServiceCollection();
        uncached.AddLogging();
        uncached.AddSingleton(provider.GetRequiredService<IApiTokenStore>());
        uncached.AddApiTokens(o => o.CacheLifetime = TimeSpan.Zero)
            .AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
        uncached.AddAuthentication().AddApiTokens(ApiTokensNoCache);
        return new BenchHost(provider, uncached.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    public async Task<string> CreateTokenAsync(TokenType type = TokenType.User)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>()
            .CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Type = type, Privilege = TokenPrivilege.Normal });
        return result.Value!.Secret;
    }

    // The same six facts ApiTokens puts in its principal.
    // JwtBearer validating HS256 tokens from CreateJwt, shared by every benchmark host.
    public static void ConfigureJwt(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions options)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = "bench",
            ValidAudience = "bench",
            IssuerSigningKey = new SymmetricSecurityKey(s_jwtKey),
        };
    }

    public static Claim[] Claims() =>
    [
        new(ClaimTypes.Name, "alice"),
        new(ApiTokenClaimTypes.TokenId, "0123456789abcdef01234567"),
        new(ApiTokenClaimTypes.TokenType, "User"),
        new(ApiTokenClaimTypes.AccountId, "acme"),
        new(ApiTokenClaimTypes.Privilege, "Normal"),
        new(ApiTokenClaimTypes.AppName, AppName),
    ];

    public static string CreateJwt()
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = "bench",
            Audience = "bench",
            Subject = new ClaimsIdentity(Claims()),
            Expires = DateTime.UtcNow.AddHours(8),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(s_jwtKey), SecurityAlgorithms.HmacSha256),
        };
        return new JwtSecurityTokenHandler().WriteToken(new JwtSecurityTokenHandler().CreateToken(descriptor));
    }

    public string CreateBearerToken() => CreateBearerToken(Services);

    // A token ASP.NET's BearerToken handler accepts, protected with the host's own data protection.
    public static string CreateBearerToken(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(Bearer);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(Claims(), Bearer)), new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(8) }, Bearer);
        return options.BearerTokenProtector.Protect(ticket);
    }

    // One request's worth of work: a scope (as ASP.NET creates per request), a context with headers,
    // and the authentication service running the scheme's real handler.
    // peer: the connection's remote address, as Kestrel sets it (none by default).
    public async Task<AuthenticateResult> AuthenticateAsync(string scheme, string header, string value, string? appName, System.Net.IPAddress? peer = null)
    {
        await using var scope = (scheme == ApiTokensNoCache ? _noCache : Services).CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        if (peer is not null)
        {
            context.Connection.RemoteIpAddress = peer;
        }

        context.Request.Headers[header] = value;
        if (appName is not null)
        {
            context.Request.Headers[ApiTokenAuthenticationDefaults.AppNameHeaderName] = appName;
        }

        // As HttpContext.AuthenticateAsync does: the service is scoped, and so is the handler it caches.
        return await context.RequestServices.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, scheme);
    }

    // The same work without authenticating: subtract it to see what authentication itself costs.
    public async Task<int> ContextOnlyAsync(string header, string value, string? appName)
    {
        await using var scope = Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers[header] = value;
        if (appName is not null)
        {
            context.Request.Headers[ApiTokenAuthenticationDefaults.AppNameHeaderName] = appName;
        }

        return context.RequestServices.GetRequiredService<IAuthenticationService>() is null ? 0 : context.Request.Headers.Count;
    }

    public async ValueTask DisposeAsync()
    {
        await _noCache.DisposeAsync();
        await Services.DisposeAsync();
    }
}

// The framework floor: a handler that reads one header and succeeds with a prebuilt principal, so
// AuthenticationService, handler creation and ticket handling cost what they cost for every scheme.
public sealed class FloorHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, Microsoft.Extensions.Logging.ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly ClaimsIdentity s_identity = new(BenchHost.Claims(), BenchHost.Floor);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        => Task.FromResult(Request.Headers.ContainsKey(ApiTokenAuthenticationDefaults.TokenHeaderName)
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(s_identity), Scheme.Name))
            : AuthenticateResult.NoResult());
}
