using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;

namespace ApiTokens.AspNetCore.Tests.Authorization;

[TestClass]
[TestCategory("R16")]
public sealed class PrivilegeTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ReadOnlyToken_SafeMethodsPass_WritesForbidden()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.ReadOnly);

        var get = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/read", token.Secret), TestContext.CancellationToken);
        var head = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Head, "/read", token.Secret), TestContext.CancellationToken);
        var post = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken);
        var delete = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Delete, "/write", token.Secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, get.StatusCode);
        Assert.AreNotEqual(HttpStatusCode.Unauthorized, head.StatusCode);
        Assert.AreNotEqual(HttpStatusCode.Forbidden, head.StatusCode);
        var body = await ApiHost.ProblemAsync(post, 403, ApiTokenFailureCodes.InsufficientPrivilege);
        StringAssert.Contains(body.GetProperty("explanation").GetString(), "Normal");
        await ApiHost.ProblemAsync(delete, 403, ApiTokenFailureCodes.InsufficientPrivilege);
    }

    [TestMethod]
    public async Task NormalToken_WritesPass_AdminEndpointForbidden()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);

        var post = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken);
        var admin = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Put, "/admin", token.Secret), TestContext.CancellationToken);
        var adminAttribute = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/admin-attribute", token.Secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, post.StatusCode);
        await ApiHost.ProblemAsync(admin, 403, ApiTokenFailureCodes.InsufficientPrivilege);
        await ApiHost.ProblemAsync(adminAttribute, 403, ApiTokenFailureCodes.InsufficientPrivilege);
    }

    [TestMethod]
    public async Task AdminToken_AdminEndpointsPass()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice, TokenType.Account, TokenPrivilege.Admin);

        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Put, "/admin", token.Secret), TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/admin-attribute", token.Secret), TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task NamedPolicy_AppliesMethodDefault()
    {
        await using var host = await ApiHost.StartAsync();
        var readOnly = await host.CreateTokenAsync(ApiHost.Bob);
        var normal = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);

        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/policy", readOnly.Secret), TestContext.CancellationToken), 403, ApiTokenFailureCodes.InsufficientPrivilege);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/policy", normal.Secret), TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task EndpointAcceptingAnyScheme_StillAppliesMethodDefaultToTokenRequests()
    {
        await using var host = await ApiHost.StartAsync();
        var readOnly = await host.CreateTokenAsync(ApiHost.Bob);

        // /either names no privilege: the R16 default applies because the request came with a token.
        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/either", readOnly.Secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task UserToken_CappedByOwnersCurrentRole()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice, privilege: TokenPrivilege.Admin);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Put, "/admin", token.Secret), TestContext.CancellationToken)).StatusCode);

        host.Members.SetRole("acme", "alice", TokenPrivilege.ReadOnly);
        await host.ManageAsync(async m =>
        {
            await m.MemberRoleChangedAsync("acme", "alice");
            return 0;
        });

        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Request(HttpMethod.Put, "/admin", token.Secret), TestContext.CancellationToken), 403, ApiTokenFailureCodes.InsufficientPrivilege);
        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken), 403, ApiTokenFailureCodes.InsufficientPrivilege);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/read", token.Secret), TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public void Requirement_UndefinedPrivilege_Throws()
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ApiTokenPrivilegeRequirement((TokenPrivilege)9));
}
