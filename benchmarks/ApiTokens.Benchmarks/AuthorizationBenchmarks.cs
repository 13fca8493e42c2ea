using System.Security.Claims;
using ApiTokens.AspNetCore.Authentication;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// The authorization side of a request on its own: IAuthorizationService evaluating a
// policy for an already authenticated principal, as the authorization middleware does once per
// request. ApiTokens' R16 handler runs in every evaluation (it applies the method default to any
// endpoint that requires authorization), so the rows split: the framework alone (no ApiTokens
// registered), the same policy with ApiTokens registered (a JwtBearer principal: the handler only
// looks for its identity), and ApiTokens' own policies for an ApiTokens principal.
[Config(typeof(BenchConfig))]
public class AuthorizationBenchmarks
{
    private BenchHost _host = null!;
    private ServiceProvider _frameworkOnly = null!;
    private IAuthorizationService _framework = null!;
    private IAuthorizationService _withApiTokens = null!;
    private ClaimsPrincipal _apiTokenUser = null!;
    private ClaimsPrincipal _jwtUser = null!;
    private readonly DefaultHttpContext _get = new();
    private readonly DefaultHttpContext _post = new();
    private readonly DefaultHttpContext _refused = new();
    private AuthorizationPolicy _authenticated = null!;
    private AuthorizationPolicy _requireApiToken = null!;
    private AuthorizationPolicy _requireAdmin = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create(services2: s => s.AddAuthorization());
        _frameworkOnly = new ServiceCollection().AddLogging().AddAuthorization().BuildServiceProvider();
        _framework = _frameworkOnly.GetRequiredService<IAuthorizationService>();
        _withApiTokens = _host.Services.GetRequiredService<IAuthorizationService>();
        _get.Request.Method = HttpMethods.Get;
        _post.Request.Method = HttpMethods.Post;

        var secret = await _host.CreateTokenAsync();
        await _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
        _apiTokenUser = (await _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName)).Principal!;
        _jwtUser = (await _host.AuthenticateAsync(BenchHost.Jwt, "Authorization", "Bearer " + BenchHost.CreateJwt(), null)).Principal!;

        // The policies RequireAuthorization(), RequireApiToken() and RequireApiTokenPrivilege(Admin) build.
        _authenticated = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        _requireApiToken = new AuthorizationPolicyBuilder(BenchHost.ApiTokens).RequireAuthenticatedUser().AddApiTokenPrivilegeRequirement().Build();
        _requireAdmin = new AuthorizationPolicyBuilder(BenchHost.ApiTokens).RequireAuthenticatedUser().AddApiTokenPrivilegeRequirement(TokenPrivilege.Admin).Build();

        if (!(await FrameworkOnly()).Succeeded || !(await JwtPrincipal()).Succeeded || !(await ApiTokenGet()).Succeeded
            || !(await ApiTokenPost()).Succeeded || (await ApiTokenBelowAdmin()).Succeeded)
        {
            throw new InvalidOperationException("Benchmark setup is wrong: an authorization result is not what the row says.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _frameworkOnly.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "framework only: RequireAuthenticatedUser, JwtBearer principal")]
    public Task<AuthorizationResult> FrameworkOnly() => _framework.AuthorizeAsync(_jwtUser, _get, _authenticated);

    [Benchmark(Description = "ApiTokens registered: RequireAuthenticatedUser, JwtBearer principal")]
    public Task<AuthorizationResult> JwtPrincipal() => _withApiTokens.AuthorizeAsync(_jwtUser, _get, _authenticated);

    [Benchmark(Description = "RequireApiToken(), GET (ReadOnly by method), ApiTokens principal")]
    public Task<AuthorizationResult> ApiTokenGet() => _withApiTokens.AuthorizeAsync(_apiTokenUser, _get, _requireApiToken);

    [Benchmark(Description = "RequireApiToken(), POST (Normal by method), ApiTokens principal")]
    public Task<AuthorizationResult> ApiTokenPost() => _withApiTokens.AuthorizeAsync(_apiTokenUser, _post, _requireApiToken);

    [Benchmark(Description = "refused: RequireApiTokenPrivilege(Admin), Normal token")]
    public Task<AuthorizationResult> ApiTokenBelowAdmin() => _withApiTokens.AuthorizeAsync(_apiTokenUser, _refused, _requireAdmin);
}
