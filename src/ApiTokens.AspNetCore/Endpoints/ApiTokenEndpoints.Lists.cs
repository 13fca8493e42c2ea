using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using static ApiTokens.AspNetCore.Endpoints.ManagementRequests;

namespace ApiTokens.AspNetCore.Endpoints;

// Lists: tokens (R5, R28), audit trails (R24) and usage (R35), paged with Link: rel="next".
internal static partial class ApiTokenEndpoints
{
    public static async Task<Results<JsonHttpResult<ApiTokenResponse[]>, ProblemHttpResult>> ListAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (ReadPaging(context) is not ({ } limit, var cursor, null))
        {
            return ReadPaging(context).Problem!;
        }

        const string list = "tokens";
        if (cursor is not null && !PageCursors.TryOpen(context, actor.AccountId, list, cursor, out cursor))
        {
            return InvalidCursor(context);
        }

        var result = await manager.ListAsync(actor, cursor, limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var page = result.Value;
        var tokens = new ApiTokenResponse[page.Items.Count];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = ApiTokenResponse.From(page.Items[i]);
        }

        LinkNext(context, limit, page.NextCursor is { } next ? PageCursors.Seal(context, actor.AccountId, list, next) : null);
        return TypedResults.Json(tokens, ApiTokenJsonContext.Default.ApiTokenResponseArray);
    }

    // GET /events (the account's, admins) and GET /{id}/events (a token's, R5), paged like lists (R24).
    public static Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListAccountEventsAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
        => ListEventsAsync(context, null, manager, resolver);

    public static Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListTokenEventsAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
        => ListEventsAsync(context, id, manager, resolver);

    private static async Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListEventsAsync(HttpContext context, string? id, ApiTokenManager manager, IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (ReadPaging(context) is not ({ } limit, var cursor, null))
        {
            return ReadPaging(context).Problem!;
        }

        // A token's events and the account's are lists of their own: a cursor serves only its list.
        var list = id is null ? "events" : "events:" + id;
        if (cursor is not null && !PageCursors.TryOpen(context, actor.AccountId, list, cursor, out cursor))
        {
            return InvalidCursor(context);
        }

        var result = await manager.ListEventsAsync(actor, id, cursor, limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var page = result.Value;
        var events = new ApiTokenEventResponse[page.Items.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = ApiTokenEventResponse.From(page.Items[i]);
        }

        LinkNext(context, limit, page.NextCursor is { } next ? PageCursors.Seal(context, actor.AccountId, list, next) : null);
        return TypedResults.Json(events, ApiTokenJsonContext.Default.ApiTokenEventResponseArray);
    }

    // R35: requests per app and day by outcome; ?days=1..90 (30 by default).
    public static async Task<Results<JsonHttpResult<ApiTokenUsageResponse[]>, ProblemHttpResult>> GetUsageAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (!TryReadDays(context, out var days))
        {
            return ManagementProblems.InvalidRequest(context, "'days' must be a whole number from 1 to 90.");
        }

        var result = await manager.GetUsageAsync(actor, id, days, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var body = result.Value.Select(u => new ApiTokenUsageResponse
        {
            App = u.AppName,
            Day = u.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Allowed = u.Allowed,
            Pending = u.Pending,
            Denied = u.Denied,
            Limited = u.Limited,
        }).ToArray();
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, ApiTokenJsonContext.Default.ApiTokenUsageResponseArray);
    }
}
