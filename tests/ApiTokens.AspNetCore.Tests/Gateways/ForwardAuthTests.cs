using System.Net;
using ApiTokens.AspNetCore.Gateways;
using ApiTokens.Management;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Tests.Gateways;

// R41 through HTTP, as Traefik and nginx call it: the client's headers, the original method and URI in
// the proxy's headers; 200 with identity headers or the API's refusal.
[TestClass]
public sealed class ForwardAuthTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R41")]
    public async Task NoCredentials_401BadToken()
    {
        await using var host = await StartAsync();

        var response = await AuthzAsync(host, null, "GET", "/v2/annotation");

        await ApiHost.ProblemAsync(response, 401, "Unauthorized.BadToken");
    }

    [TestMethod]
    [TestCategory("R41")]
    [DataRow("X-Forwarded-Method", "X-Forwarded-Uri", DisplayName = "Traefik")]
    [DataRow("X-Original-Method", "X-Original-URI", DisplayName = "nginx")]
    public async Task AnAllowedRequest_200WithTheIdentityHeaders(string methodHeader, string uriHeader)
    {
        await using var host = await StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);

        var response = await AuthzAsync(host, token.Secret, "POST", "/v2/annotation?x=1", methodHeader, uriHeader);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(token.Details.Token.Id, response.Headers.GetValues("X-ApiToken-Id").Single());
        Assert.AreEqual("acme", response.Headers.GetValues("X-ApiToken-Account").Single());
        Assert.AreEqual("bob", response.Headers.GetValues("X-ApiToken-Owner").Single());
        Assert.AreEqual("normal", response.Headers.GetValues("X-ApiToken-Privilege").Single());
        Assert.AreEqual("test-app", response.Headers.GetValues("X-ApiToken-App").Single());
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task TheOriginalMethod_DecidesThePrivilege_AsR16Does()
    {
        await using var host = await StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.ReadOnly);

        var read = await AuthzAsync(host, token.Secret, "GET", "/v2/annotation");
        var write = await AuthzAsync(host, token.Secret, "DELETE", "/v2/annotation/1");

        Assert.AreEqual(HttpStatusCode.OK, read.StatusCode);
        await ApiHost.ProblemAsync(write, 403, "Forbidden.InsufficientPrivilege");
    }

    [TestMethod]
    [TestCategory("R41")]
    [TestCategory("R42")]
    public async Task ARulesScope_NarrowsScopedTokens_AndItsPrivilegeWins()
    {
        await using var host = await StartAsync(forward: o =>
        {
            o.Rules.Add(new ApiTokenForwardAuthRule { PathPrefix = "/v2/annotation", Scope = "annotation:write" });
            o.Rules.Add(new ApiTokenForwardAuthRule { PathPrefix = "/v2/account", Privilege = TokenPrivilege.Admin });
        });
        var scoped = await host.ManageAsync(m => m.CreateAsync(ApiHost.Bob, new CreateApiTokenRequest { Type = TokenType.User, Scopes = ["user:read"] }));
        var unscoped = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);

        var refused = await AuthzAsync(host, scoped.Value!.Secret, "GET", "/v2/annotation/7");
        var allowed = await AuthzAsync(host, unscoped.Secret, "GET", "/v2/annotation/7");
        var admin = await AuthzAsync(host, unscoped.Secret, "GET", "/v2/account");

        await ApiHost.ProblemAsync(refused, 403, "Forbidden.Scope");
        Assert.AreEqual("annotation:write", refused.Headers.GetValues("X-Accepted-ApiToken-Scopes").Single());
        Assert.AreEqual(HttpStatusCode.OK, allowed.StatusCode, "unscoped tokens are judged by privilege only");
        await ApiHost.ProblemAsync(admin, 403, "Forbidden.InsufficientPrivilege");
    }

    [TestMethod]
    [TestCategory("R41")]
    [DataRow(429)]
    [DataRow(403)]
    public async Task ARateLimitedRequest_GetsTheConfiguredStatus(int status)
    {
        await using var host = await StartAsync(forward: o => o.TooManyRequestsStatus = status);
        var token = await host.ManageAsync(m => m.CreateAsync(ApiHost.Bob, new CreateApiTokenRequest { Type = TokenType.User, RateLimit = new ApiTokenRateLimit(1, 60) }));
        await AuthzAsync(host, token.Value!.Secret, "GET", "/v2/annotation");

        var response = await AuthzAsync(host, token.Value!.Secret, "GET", "/v2/annotation");

        await ApiHost.ProblemAsync(response, status, "TooManyRequests.RateLimit");
        Assert.IsNotNull(response.Headers.RetryAfter);
    }

    [TestMethod]
    [TestCategory("R41")]
    [TestCategory("R33")]
    [DataRow(true, HttpStatusCode.OK, DisplayName = "a trusted proxy names the client")]
    [DataRow(false, HttpStatusCode.Forbidden, DisplayName = "any other caller is the client")]
    public async Task TheClientAddress_ComesFromTrustedProxiesOnly(bool trusted, HttpStatusCode expected)
    {
        await using var host = await StartAsync(forward: o =>
        {
            if (trusted)
            {
                o.TrustedProxies.Add("127.0.0.0/8");
            }
        });
        var token = await host.ManageAsync(m => m.CreateAsync(ApiHost.Bob, new CreateApiTokenRequest { Type = TokenType.User, AllowedNetworks = ["203.0.113.0/24"] }));

        var response = await AuthzAsync(host, token.Value!.Secret, "GET", "/v2/annotation", forwardedFor: "198.51.100.1, 203.0.113.9");

        Assert.AreEqual(expected, response.StatusCode);
    }

    private static Task<ApiHost> StartAsync(Action<ApiTokenForwardAuthOptions>? forward = null)
        => ApiHost.StartAsync(
            core: o =>
            {
                o.Scopes["annotation:write"] = "Write annotations";
                o.Scopes["user:read"] = "Read users";
            },
            gateways: true,
            beforeAuthentication: app => app.Use(next => context =>
            {
                // TestServer has no socket: the proxy calls from loopback.
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return next(context);
            }),
            services: s => s.Configure<ApiTokenForwardAuthOptions>(o => forward?.Invoke(o)));

    private async Task<HttpResponseMessage> AuthzAsync(ApiHost host, string? secret, string method, string uri, string methodHeader = "X-Forwarded-Method", string uriHeader = "X-Forwarded-Uri", string? forwardedFor = null)
    {
        using var request = ApiHost.Request(HttpMethod.Get, "/api/tokens/authz", secret);
        request.Headers.TryAddWithoutValidation(methodHeader, method);
        request.Headers.TryAddWithoutValidation(uriHeader, uri);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return await host.Client.SendAsync(request, TestContext.CancellationToken);
    }
}
