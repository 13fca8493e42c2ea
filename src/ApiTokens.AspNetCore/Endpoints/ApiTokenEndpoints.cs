using System.Globalization;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Management;
using ApiTokens.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static ApiTokens.AspNetCore.Endpoints.ManagementRequests;

namespace ApiTokens.AspNetCore.Endpoints;

// The management API (docs/management-api.md). Each endpoint: resolve the actor, read the request
// (ManagementRequests), one manager call, a typed result. No rules here: the manager decides, this
// file only translates. What each endpoint can answer is declared beside its mapping
// (ApiTokenEndpointRouteBuilderExtensions).
internal static partial class ApiTokenEndpoints
{
    // Longer than any allowed grace period (365 days), short enough for TimeSpan.
    private const long MaxGraceSeconds = 366L * 24 * 60 * 60;

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> GetAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        return ToResult(context, await manager.GetAsync(actor, id, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> UpdateAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.UpdateApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        var request = new UpdateApiTokenRequest
        {
            Privilege = body!.Privilege,
            DefaultAppState = body.DefaultAppState,
            Description = body.Description,
            AllowedNetworks = body.AllowedNetworksSent ? body.AllowedNetworks ?? [] : null,
            RateLimit = body.RateLimit?.ToLimit(),
            RemoveRateLimit = body.RateLimitSent && body.RateLimit is null,
            Scopes = body.ScopesSent ? body.Scopes ?? [] : null,
            SelfRotate = body.SelfRotate,
        };
        return ToResult(context, await manager.UpdateAsync(actor, id, request, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> SetAppStateAsync(HttpContext context, string id, string appName, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.SetAppStateBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.State is not { } state)
        {
            return ManagementProblems.InvalidRequest(context, "The app 'state' is required: 'allow' or 'deny'.");
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.SetAppStateAsync(actor, id, RawAppName(context, id, appName), state, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> RetireAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.RetireAsync(actor, id, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> RotateAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        // The body is optional: no body rotates with the configured grace period.
        var body = new RotateApiTokenBody();
        if (context.Request.ContentLength is not (null or 0) || context.Request.ContentType is not null)
        {
            var (read, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.RotateApiTokenBody);
            if (problem is not null)
            {
                return problem;
            }

            body = read!;
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        // Out-of-range values (negative, or beyond any grace period) are the manager's to refuse.
        var grace = body.GracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, MaxGraceSeconds)) : (TimeSpan?)null;
        var result = await manager.RotateAsync(actor, id, new RotateApiTokenRequest { GracePeriod = grace, ExpiresAt = body.ExpiresAt }, expected, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(result.Value.Details.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value.Details, result.Value.Secret), ApiTokenJsonContext.Default.ApiTokenResponse);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> PromoteAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.PromoteAsync(actor, id, expected, context.RequestAborted));
    }

    // A failing store answers 503 like the scheme does (R20), never 500 with a stack trace.
    public static async ValueTask<object?> StoreFailureFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ApiTokenStoreException)
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>();
            return ApiTokenProblems.StoreUnavailable(context.HttpContext, options.CurrentValue.StoreRetryAfter);
        }
    }

    private static Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult> ToResult(HttpContext context, ApiTokenResult<ApiTokenDetails> result)
    {
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.ETag = ETagOf(result.Value.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value), ApiTokenJsonContext.Default.ApiTokenResponse);
    }

    // A strong entity tag of the token's version: every change (R19) gives a new one.
    private static string ETagOf(ApiToken token) => string.Create(CultureInfo.InvariantCulture, $"\"{token.Version}\"");
}
