using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R42's cost: one request's cache hit through the real handler, then the authorization the
// middleware runs, with RequireApiToken()'s policy and with RequireApiTokenScope("annotation:write")'s
// — for a token scoped to three scopes (met by "annotation:*", the last) and for an unscoped one.
// Baseline repeated last for drift.
[Config(typeof(BenchConfig))]
public class ScopeBenchmarks
{
    private BenchHost _host = null!;
    private IAuthorizationService _authorization = null!;
    private string _scoped = null!;
    private string _unscoped = null!;
    private readonly DefaultHttpContext _post = new();
    private AuthorizationPolicy _requireApiToken = null!;
    private AuthorizationPolicy _requireScope = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = BenchHost.Create(
            configure: o =>
            {
                o.Scopes["account:read"] = "Read the account";
                o.Scopes["annotation:read"] = "Read annotations";
                o.Scopes["annotation:write"] = "Write annotations";
                o.Scopes["user:read"] = "Read users";
            },
            services2: s => s.AddAuthorization());
        _authorization = _host.Services.GetRequiredService<IAuthorizationService>();
        _post.Request.Method = HttpMethods.Post;
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();
            _scoped = (await manager.CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Type = TokenType.User, Privilege = TokenPrivilege.Normal, Scopes = ["account:read", "user:read", "annotation:*"] })).Value!.Secret;
            _unscoped = (await manager.CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Type = TokenType.User, Privilege = TokenPrivilege.Normal })).Value!.Secret;
        }

        _requireApiToken = new AuthorizationPolicyBuilder(BenchHost.ApiTokens).RequireAuthenticatedUser().AddApiTokenPrivilegeRequirement().Build();
        _requireScope = new AuthorizationPolicyBuilder(BenchHost.ApiTokens).RequireAuthenticatedUser().AddApiTokenPrivilegeRequirement().AddApiTokenScopeRequirement("annotation:write").Build();
        for (var i = 0; i < 3; i++)
        {
            if (!await Without() || !await With() || !await UnscopedWith())
            {
                throw new InvalidOperationException("Benchmark setup is wrong: a request was refused.");
            }
        }
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _host.DisposeAsync().AsTask();

    private async Task<bool> RequestAsync(string secret, AuthorizationPolicy policy)
    {
        var result = await _host.AuthenticateAsync(BenchHost.ApiTokens, ApiTokenAuthenticationDefaults.TokenHeaderName, secret, BenchHost.AppName);
        return (await _authorization.AuthorizeAsync(result.Principal!, _post, policy)).Succeeded;
    }

    [Benchmark(Baseline = true, Description = "Scoped token, endpoint without a scope requirement")]
    public Task<bool> Without() => RequestAsync(_scoped, _requireApiToken);

    [Benchmark(Description = "Scoped token, RequireApiTokenScope(annotation:write) met by annotation:*")]
    public Task<bool> With() => RequestAsync(_scoped, _requireScope);

    [Benchmark(Description = "Unscoped token, RequireApiTokenScope(annotation:write)")]
    public Task<bool> UnscopedWith() => RequestAsync(_unscoped, _requireScope);

    [Benchmark(Description = "Scoped token, endpoint without a scope requirement (again, run last)")]
    public Task<bool> WithoutAgain() => Without();
}
