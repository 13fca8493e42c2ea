using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ApiTokens;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

// A small host for benchmarks/load.sh: one endpoint per scheme on loopback. It writes a fresh API
// token secret and an HS256 JWT (same claims) to --credentials, one per line, once it is listening.
// /floor is the framework's own floor: a scheme that accepts every request with a ready-made
// principal, behind the same kind of policy, so what ApiTokens adds can be told from what the
// authentication and authorization middleware cost any scheme.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var key = new SymmetricSecurityKey("a load-test-only HS256 key of at least 256 bits!!!"u8.ToArray());
builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
builder.Services.AddAuthentication()
    .AddApiTokens()
    .AddJwtBearer("Jwt", o =>
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = "load", ValidAudience = "load", IssuerSigningKey = key };
    })
    .AddScheme<AuthenticationSchemeOptions, AcceptEveryRequestHandler>("Floor", null);
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/none", static () => "ok");
app.MapGet("/apitokens", static () => "ok").RequireApiToken();
app.MapGet("/jwt", static () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes("Jwt").RequireAuthenticatedUser());
app.MapGet("/floor", static () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes("Floor").RequireAuthenticatedUser());

await app.StartAsync();
using (var scope = app.Services.CreateScope())
{
    var created = await scope.ServiceProvider.GetRequiredService<ApiTokenManager>()
        .CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Privilege = TokenPrivilege.Normal });
    var jwt = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "load",
        Audience = "load",
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        Subject = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, "alice"),
            new Claim(ApiTokenClaimTypes.TokenId, created.Value!.Details.Token.Id),
            new Claim(ApiTokenClaimTypes.TokenType, "User"),
            new Claim(ApiTokenClaimTypes.AccountId, "acme"),
            new Claim(ApiTokenClaimTypes.Privilege, "Normal"),
            new Claim(ApiTokenClaimTypes.AppName, "wrk"),
        ]),
    }));
    var path = app.Configuration["credentials"] ?? throw new InvalidOperationException("--credentials <file> is required");
    await File.WriteAllLinesAsync(path + ".tmp", [created.Value.Secret, jwt]);
    File.Move(path + ".tmp", path, overwrite: true);
}

await app.WaitForShutdownAsync();

/// <summary>Accepts every request with one ready-made principal: the least any scheme can do.</summary>
sealed class AcceptEveryRequestHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly ClaimsPrincipal s_principal = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "alice")], "Floor"));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(s_principal, Scheme.Name)));
}
