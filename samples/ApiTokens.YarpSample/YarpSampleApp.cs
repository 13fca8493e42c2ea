using System.Security.Claims;
using ApiTokens.AspNetCore.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace ApiTokens.YarpSample;

// A gateway on YARP: routes name an authorization policy (appsettings.json, "AuthorizationPolicy"), and
// the ApiTokens scheme answers them in this process — the same flow and cache as any ASP.NET Core API,
// with no forward-auth call. The upstream gets the token's identity as X-ApiToken-* headers, and never
// the secret. The first token comes from ApiTokens:Bootstrap.
public static class YarpSampleApp
{
    // A policy per scope the routes need (R42), beside the scheme's own "ApiTokens" policy (R16 by method).
    public const string AnnotationWrite = "annotation:write";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddApiTokens(o =>
            {
                o.Scopes[AnnotationWrite] = "Create, change and delete annotations";
                o.Scopes["annotation:read"] = "Read annotations";
            })
            .AddInMemoryStore()
            .AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens();
        builder.Services.AddAuthorization(o => o.AddPolicy(AnnotationWrite, p => p
            .AddAuthenticationSchemes(ApiTokenAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddApiTokenPrivilegeRequirement()
            .AddApiTokenScopeRequirement(AnnotationWrite)));

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(static context => context.AddRequestTransform(static transform =>
            {
                var request = transform.ProxyRequest.Headers;
                request.Remove(ApiTokenAuthenticationDefaults.TokenHeaderName);
                foreach (var name in new[] { "X-ApiToken-Id", "X-ApiToken-Account", "X-ApiToken-Privilege", "X-ApiToken-App", "X-ApiToken-Scopes" })
                {
                    request.Remove(name);
                }

                var user = transform.HttpContext.User;
                if (user.FindFirstValue(ApiTokenClaimTypes.TokenId) is { } id)
                {
                    request.Add("X-ApiToken-Id", id);
                    request.Add("X-ApiToken-Account", user.FindFirstValue(ApiTokenClaimTypes.AccountId));
                    request.Add("X-ApiToken-Privilege", WireName(user.FindFirstValue(ApiTokenClaimTypes.Privilege)));
                    request.Add("X-ApiToken-App", user.FindFirstValue(ApiTokenClaimTypes.AppName));
                    request.Add("X-ApiToken-Scopes", string.Join(' ', user.FindAll(ApiTokenClaimTypes.Scope).Select(static c => c.Value)));
                }

                return ValueTask.CompletedTask;
            }));

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapReverseProxy();
        return app;
    }

    // The claim's "ReadOnly" as the wire writes it ("readOnly"), as forward authentication sends it.
    private static string WireName(string? privilege)
        => string.IsNullOrEmpty(privilege) ? "" : char.ToLowerInvariant(privilege[0]) + privilege[1..];
}
