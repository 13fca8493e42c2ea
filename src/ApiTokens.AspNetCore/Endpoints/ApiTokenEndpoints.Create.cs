using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using static ApiTokens.AspNetCore.Endpoints.ManagementRequests;

namespace ApiTokens.AspNetCore.Endpoints;

// New tokens: created (the secret shown once), imported (R36); and revocation by anyone (R32).
internal static partial class ApiTokenEndpoints
{
    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> CreateAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.CreateApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Type is not { } type)
        {
            return ManagementProblems.InvalidRequest(context, "The token 'type' is required: 'user' or 'account'.");
        }

        var result = await manager.CreateAsync(
            actor,
            new CreateApiTokenRequest
            {
                Type = type,
                Privilege = body.Privilege,
                DefaultAppState = body.DefaultAppState,
                Description = body.Description,
                ExpiresAt = body.ExpiresAt,
                LifetimeDays = body.LifetimeDays,
                AllowedNetworks = body.AllowedNetworks,
                Scopes = body.Scopes,
                SelfRotate = body.SelfRotate,
                RateLimit = body.RateLimit?.ToLimit(),
            },
            context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var token = result.Value.Details.Token;
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{Uri.EscapeDataString(token.Id)}";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value.Details, result.Value.Secret), ApiTokenJsonContext.Default.ApiTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> ImportAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.ImportApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Type is not { } type)
        {
            return ManagementProblems.InvalidRequest(context, "The token 'type' is required: 'user' or 'account'.");
        }

        var result = await manager.ImportAsync(
            actor,
            new ImportApiTokenRequest
            {
                Secret = body.Secret,
                SecretSha256 = body.SecretSha256,
                Type = type,
                OwnerId = body.OwnerId,
                Privilege = body.Privilege,
                DefaultAppState = body.DefaultAppState,
                Description = body.Description,
                ExpiresAt = body.ExpiresAt,
                AllowedNetworks = body.AllowedNetworks,
                Scopes = body.Scopes,
                SelfRotate = body.SelfRotate,
                RateLimit = body.RateLimit?.ToLimit(),
            },
            context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var token = result.Value.Token;
        var collection = context.Request.Path.Value!.TrimEnd('/');
        collection = collection[..collection.LastIndexOf('/')];
        context.Response.Headers.Location = $"{context.Request.PathBase}{collection}/{Uri.EscapeDataString(token.Id)}";
        context.Response.Headers.ETag = ETagOf(token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value), ApiTokenJsonContext.Default.ApiTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    // R32: anyone who finds secrets may end them. The answer is the same whether anything matched,
    // and every request counts as a failure for R27 throttling, so it cannot probe at speed.
    public static async Task<Results<JsonHttpResult<RevokeApiTokensResponse>, ProblemHttpResult>> RevokeAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] ApiTokenValidator validator, [FromServices] IOptionsMonitor<ApiTokenAuthenticationOptions> schemes)
    {
        var clientKey = schemes.Get(ApiTokenAuthenticationDefaults.AuthenticationScheme).ClientKey?.Invoke(context);
        if (clientKey is not null && !validator.TryCountClientFailure(clientKey, out var retryAfter))
        {
            ApiTokenProblems.SetRetryAfter(context, retryAfter);
            var throttled = ApiTokenFailures.Throttled;
            return ApiTokenProblems.Result(context, throttled.Status, throttled.Code, throttled.Message, throttled.Explanation);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.RevokeApiTokensBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Secrets is not { Length: >= 1 and <= RevokeApiTokensBody.MaxSecrets } secrets
            || secrets.Any(s => string.IsNullOrEmpty(s) || s.Length > ApiTokenAuthenticationOptions.MaxCredentialLength))
        {
            return ManagementProblems.InvalidRequest(context, $"'secrets' is an array of 1 to {RevokeApiTokensBody.MaxSecrets} secrets.");
        }

        // Written durably and handled off this request where the store has an outbox: the answer takes
        // the same time whether a secret was live or unknown (R32).
        await manager.RequestRevocationAsync(secrets, RevokeApiTokensBody.Actor, context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new RevokeApiTokensResponse { Received = secrets.Length }, ApiTokenJsonContext.Default.RevokeApiTokensResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
