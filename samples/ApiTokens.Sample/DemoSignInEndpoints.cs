using System.Security.Claims;
using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Membership;
using ApiTokens.Sample.Demo;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace ApiTokens.Sample;

// DEMO SIGN-IN: a user name and no password. It exists so the sample can be tried in a minute;
// never ship anything like it.
internal static class DemoSignInEndpoints
{
    public static void MapDemoSignIn(this IEndpointRouteBuilder app)
    {
        // Another origin can neither sign a browser in (login CSRF) nor out (R30).
        app.MapPost("/login", LoginAsync).DisableAntiforgery().DisallowCrossOriginBrowserRequests();
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).DisallowCrossOriginBrowserRequests();
        app.MapGet("/api/me", MeAsync);

        // The sign-in page offers the members there are now (a removed one is not offered).
        app.MapGet("/api/demo-members", (InMemoryAccountMembership membership) => Results.Ok(
            DemoDirectory.AccountNames.Keys.SelectMany(account => membership.GetMembers(account).Select(m => new
            {
                userName = m.Key,
                account = DemoDirectory.AccountNames[account],
                role = DemoDirectory.ApiRole(m.Value),
            }))));
    }

    private static async Task<IResult> LoginAsync(HttpContext context, InMemoryAccountMembership membership)
    {
        string? userName = null;
        try
        {
            if (context.Request.HasFormContentType)
            {
                userName = (await context.Request.ReadFormAsync(context.RequestAborted))["userName"];
            }
            else if (IsUtf8Json(context.Request))
            {
                userName = (await context.Request.ReadFromJsonAsync<LoginBody>(context.RequestAborted))?.UserName;
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or BadHttpRequestException or IOException or InvalidOperationException)
        {
            // A body that is not what its Content-Type claims (a cut-off multipart, a lone surrogate
            // in a JSON string): the client's mistake, a 400 like any other malformed sign-in.
            return Problem(StatusCodes.Status400BadRequest, "InvalidRequest", "Send {\"userName\": \"alice\"} as JSON or a form field userName.");
        }

        if (string.IsNullOrWhiteSpace(userName) || userName.Length > 64)
        {
            return Problem(StatusCodes.Status400BadRequest, "InvalidRequest", "Send {\"userName\": \"alice\"} as JSON or a form field userName.");
        }

        var accounts = membership.GetAccounts(userName);
        if (accounts.Count == 0)
        {
            return Problem(StatusCodes.Status401Unauthorized, "UnknownUser", "No member of that name. The demo members are alice, bob, carol (acme) and dave (globex).");
        }

        var accountId = accounts[0];
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, userName),
                new Claim(ClaimTypes.Name, userName),
                new Claim(ClaimsApiTokenActorResolver.AccountIdClaimType, accountId),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        if (context.Request.HasFormContentType)
        {
            return Results.Redirect("/");
        }

        return Results.Ok(await DescribeAsync(membership, userName, accountId, context.RequestAborted));
    }

    private static async Task<IResult> MeAsync(HttpContext context, IApiTokenActorResolver resolver, InMemoryAccountMembership membership)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return Problem(StatusCodes.Status401Unauthorized, "NotSignedIn", "Sign in first.");
        }

        return Results.Ok(await DescribeAsync(membership, actor.UserId, actor.AccountId, context.RequestAborted));
    }

    private static async Task<object> DescribeAsync(InMemoryAccountMembership membership, string userId, string accountId, CancellationToken cancellationToken)
    {
        var role = await membership.GetRoleAsync(accountId, userId, cancellationToken);
        DemoDirectory.Users.TryGetValue(userId, out var user);
        return new
        {
            userName = userId,
            displayName = user is null ? userId : $"{user.FirstName} {user.LastName}",
            accountId,
            accountName = DemoDirectory.AccountNames.GetValueOrDefault(accountId, accountId),
            role = role is { } r ? DemoDirectory.ApiRole(r) : null,
        };
    }

    // JSON in UTF-8 (RFC 8259): a body declared in another charset is not read (a 400, never a 500).
    internal static bool IsUtf8Json(HttpRequest request)
        => request.HasJsonContentType()
            && (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
                || !type.Charset.HasValue
                || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                || type.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));

    internal static IResult Problem(int status, string code, string message)
        => Results.Problem(detail: message, statusCode: status, title: message, extensions: new Dictionary<string, object?> { ["code"] = code, ["message"] = message, ["explanation"] = message });

    private sealed record LoginBody(string? UserName);
}
