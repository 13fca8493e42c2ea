using System.Security.Claims;
using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using static ApiTokens.AspNetCore.Endpoints.ManagementRequests;

namespace ApiTokens.AspNetCore.Endpoints;

// R39: the presenting token reads itself and rotates itself. The caller is the token (the ApiTokens
// scheme authenticated it, with its app judged and R27/R33/R34 applied), not a signed-in member.
internal static partial class ApiTokenEndpoints
{
    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> GetSelfAsync(HttpContext context, [FromServices] ApiTokenManager manager)
    {
        var result = await manager.GetSelfAsync(TokenIdOf(context.User), context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(result.Value.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value), ApiTokenJsonContext.Default.ApiTokenResponse);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> SelfRotateAsync(HttpContext context, [FromServices] ApiTokenManager manager)
    {
        var body = new SelfRotateApiTokenBody();
        if (context.Request.ContentLength is not (null or 0) || context.Request.ContentType is not null)
        {
            var (read, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.SelfRotateApiTokenBody);
            if (problem is not null)
            {
                return problem;
            }

            body = read!;
        }

        var result = await manager.SelfRotateAsync(TokenIdOf(context.User), body.ExpiresAt, body.LifetimeDays, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(result.Value.Details.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value.Details, result.Value.Secret), ApiTokenJsonContext.Default.ApiTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    // The authorization policy of both endpoints admits only requests the ApiTokens scheme authenticated.
    private static string TokenIdOf(ClaimsPrincipal user)
        => user.FindFirstValue(ApiTokenClaimTypes.TokenId) ?? throw new InvalidOperationException("The request was not authenticated with an API token.");
}
