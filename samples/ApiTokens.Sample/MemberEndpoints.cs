using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Sample.Demo;

namespace ApiTokens.Sample;

// Member administration for admins (docs/sample.md). A role change tells the SDK at once (R15, R18);
// removing a member retires its user tokens (R15).
internal static class MemberEndpoints
{
    public static void MapMembers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/members").DisallowCrossOriginBrowserRequests();   // R30, as MapApiTokens does
        group.MapGet("/", ListAsync);
        group.MapPut("/{userId}", SetRoleAsync);
        group.MapDelete("/{userId}", RemoveAsync);
    }

    // Admins only, as the README says (member administration is an admin's page).
    private static async Task<IResult> ListAsync(HttpContext context, IApiTokenActorResolver resolver, InMemoryAccountMembership membership)
    {
        var (actor, problem) = await AdminAsync(context, resolver, membership);
        if (problem is not null)
        {
            return problem;
        }

        return Results.Ok(membership.GetMembers(actor!.AccountId).Select(m => new { userId = m.Key, role = DemoDirectory.ApiRole(m.Value) }));
    }

    private static async Task<IResult> SetRoleAsync(string userId, HttpContext context, IApiTokenActorResolver resolver, InMemoryAccountMembership membership, ApiTokenManager manager)
    {
        var (actor, problem) = await AdminAsync(context, resolver, membership);
        if (problem is not null)
        {
            return problem;
        }

        RoleBody? body;
        try
        {
            body = DemoSignInEndpoints.IsUtf8Json(context.Request) ? await context.Request.ReadFromJsonAsync<RoleBody>(context.RequestAborted) : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or BadHttpRequestException or IOException or InvalidOperationException)
        {
            body = null;
        }

        if (!DemoDirectory.TryParseRole(body?.Role, out var role))
        {
            return DemoSignInEndpoints.Problem(StatusCodes.Status400BadRequest, "InvalidRequest", "Send {\"role\": \"admin\" | \"normal\" | \"readOnly\"}.");
        }

        if (await membership.GetRoleAsync(actor!.AccountId, userId, context.RequestAborted) is null)
        {
            return DemoSignInEndpoints.Problem(StatusCodes.Status404NotFound, "MemberNotFound", "No such member in this account.");
        }

        if (role != TokenPrivilege.Admin && IsLastAdmin(membership, actor.AccountId, userId))
        {
            return LastAdmin();
        }

        membership.SetRole(actor.AccountId, userId, role);
        await manager.MemberRoleChangedAsync(actor.AccountId, userId, actor.UserId, context.RequestAborted);
        return Results.Ok(new { userId, role = DemoDirectory.ApiRole(role) });
    }

    private static async Task<IResult> RemoveAsync(string userId, HttpContext context, IApiTokenActorResolver resolver, InMemoryAccountMembership membership, ApiTokenManager manager)
    {
        var (actor, problem) = await AdminAsync(context, resolver, membership);
        if (problem is not null)
        {
            return problem;
        }

        if (IsLastAdmin(membership, actor!.AccountId, userId))
        {
            return LastAdmin();
        }

        if (!membership.Remove(actor.AccountId, userId))
        {
            return DemoSignInEndpoints.Problem(StatusCodes.Status404NotFound, "MemberNotFound", "No such member in this account.");
        }

        var removal = await manager.MemberRemovedAsync(actor.AccountId, userId, actor.UserId, context.RequestAborted);
        return Results.Ok(new { userId, removed = true, retiredTokens = removal.RetiredTokenIds.Count, notRetiredTokens = removal.FailedTokenIds });
    }

    private static async Task<(ApiTokenActor? Actor, IResult? Problem)> AdminAsync(HttpContext context, IApiTokenActorResolver resolver, InMemoryAccountMembership membership)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return (null, DemoSignInEndpoints.Problem(StatusCodes.Status401Unauthorized, "NotSignedIn", "Sign in first."));
        }

        if (await membership.GetRoleAsync(actor.AccountId, actor.UserId, context.RequestAborted) != TokenPrivilege.Admin)
        {
            return (null, DemoSignInEndpoints.Problem(StatusCodes.Status403Forbidden, "AdminRequired", "Only an account admin can change members."));
        }

        return (actor, null);
    }

    // A sample rule: an account keeps at least one admin, so nobody can lock it out of administration.
    // (Two concurrent demotions of the last two admins could both pass; the demo membership has no transactions.)
    private static bool IsLastAdmin(InMemoryAccountMembership membership, string accountId, string userId)
    {
        var members = membership.GetMembers(accountId);
        return members.Any(m => m.Key == userId && m.Value == TokenPrivilege.Admin)
            && members.Count(m => m.Value == TokenPrivilege.Admin) == 1;
    }

    private static IResult LastAdmin()
        => DemoSignInEndpoints.Problem(StatusCodes.Status409Conflict, "LastAdmin", "An account keeps at least one admin: make another member admin first.");

    private sealed record RoleBody(string? Role);
}
