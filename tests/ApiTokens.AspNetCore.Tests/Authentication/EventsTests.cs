using System.Net;
using System.Security.Claims;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Tests.Authentication;

[TestClass]
public sealed class EventsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task OnTokenValidated_SeesTokenAndCanAddAnIdentity()
    {
        ValidatedApiToken? seen = null;
        await using var host = await ApiHost.StartAsync(o => o.Events.OnTokenValidated = c =>
        {
            seen = c.Token;
            c.Principal!.AddIdentity(new ClaimsIdentity([new Claim("extra", "yes")]));
            return Task.CompletedTask;
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        var response = await host.GetAsync(token.Secret, "events-app");
        var claims = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Dictionary<string, string>>(response.Content, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual(token.Details.Token.Id, seen?.TokenId);
        Assert.AreEqual("events-app", seen?.AppName);
        Assert.AreEqual("yes", claims!["extra"]);
    }

    [TestMethod]
    public async Task OnTokenValidated_CanReject()
    {
        await using var host = await ApiHost.StartAsync(o => o.Events.OnTokenValidated = c =>
        {
            c.Fail("not today");
            return Task.CompletedTask;
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        Assert.AreEqual(HttpStatusCode.Unauthorized, (await host.GetAsync(token.Secret)).StatusCode);
    }

    [TestMethod]
    public async Task OnAuthenticationFailed_SeesStatus_OnChallenge_CanWriteItsOwnResponse()
    {
        ApiTokenValidationStatus? failed = null;
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.Events.OnAuthenticationFailed = c =>
            {
                failed = c.Status;
                return Task.CompletedTask;
            };
            o.Events.OnChallenge = async c =>
            {
                c.HandleResponse();
                c.Response.StatusCode = 418;
                await c.Response.WriteAsync("custom: " + c.Status, TestContext.CancellationToken);
            };
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);

        var response = await host.GetAsync(token.Secret, "new");

        Assert.AreEqual(418, (int)response.StatusCode);
        Assert.AreEqual("custom: PendingApp", await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, failed);
    }

    [TestMethod]
    public async Task OnForbidden_Raised_ForInsufficientPrivilege()
    {
        var raised = false;
        await using var host = await ApiHost.StartAsync(o => o.Events.OnForbidden = c =>
        {
            raised = true;
            return Task.CompletedTask;
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.IsTrue(raised);
    }

    [TestMethod]
    public async Task SharedIdentity_IsFrozen()
    {
        Exception? thrown = null;
        await using var host = await ApiHost.StartAsync(o => o.Events.OnTokenValidated = c =>
        {
            try
            {
                ((ClaimsIdentity)c.Principal!.Identity!).AddClaim(new Claim("x", "y"));
            }
            catch (InvalidOperationException ex)
            {
                thrown = ex;
            }

            return Task.CompletedTask;
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        await host.GetAsync(token.Secret);
        await host.GetAsync(token.Secret);

        Assert.IsNotNull(thrown);
    }
}
