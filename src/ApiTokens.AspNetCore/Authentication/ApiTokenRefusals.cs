using ApiTokens.AspNetCore.Authorization;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Authentication;

// The answers to a refused token (docs/wire-protocol.md), written the same way by the scheme's
// challenge and forbid and by forward authentication (R41), which must refuse "exactly as the API".
internal static class ApiTokenRefusals
{
    // A failed validation: its status, code and headers (Retry-After for R20/R27/R34, the IETF
    // RateLimit fields for R34, WWW-Authenticate for 401s). tooManyRequestsStatus: the status a 429
    // is answered with (forward authentication for nginx); null keeps 429.
    public static Task WriteAsync(HttpContext context, ApiTokenAuthenticationOptions options, ApiTokenValidationStatus status, TimeSpan? retryAfter, ApiTokenRateLimit? rateLimit, int? tooManyRequestsStatus = null)
    {
        if (status == ApiTokenValidationStatus.StoreUnavailable)
        {
            var core = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue;
            return ApiTokenProblems.StoreUnavailable(context, core.StoreRetryAfter).ExecuteAsync(context);
        }

        var headers = context.Response.Headers;
        if (status == ApiTokenValidationStatus.RateLimited && rateLimit is { } limit)
        {
            // R34 with the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): the
            // token's policy and what is left of it. Only on the refusal, so a hit writes nothing.
            var wait = retryAfter ?? TimeSpan.FromSeconds(limit.WindowSeconds);
            ApiTokenProblems.SetRetryAfter(context, wait);
            var seconds = Math.Max(1L, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            headers["RateLimit-Policy"] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"token\";q={limit.Limit};w={limit.WindowSeconds}");
            headers["RateLimit"] = $"\"token\";r=0;t={seconds}";
        }
        else if (retryAfter is { } wait)
        {
            ApiTokenProblems.SetRetryAfter(context, wait);
        }
        else if (status == ApiTokenValidationStatus.Throttled)
        {
            ApiTokenProblems.SetRetryAfter(context, context.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue.FailureWindow);
        }

        var problem = ApiTokenFailures.For(status);
        var code = problem.Status == StatusCodes.Status429TooManyRequests && tooManyRequestsStatus is { } instead ? instead : problem.Status;
        if (code == StatusCodes.Status401Unauthorized)
        {
            headers.WWWAuthenticate = $"ApiToken realm=\"{options.Realm}\"";
        }

        var explanation = status == ApiTokenValidationStatus.PendingApp ? options.PendingAppHint : problem.Explanation;
        return ApiTokenProblems.WriteAsync(context, code, problem.Code, problem.Message, explanation);
    }

    // R42: a scoped token without an accepted scope; accepted is empty where no scope is named and
    // scoped tokens are refused there (RequireScopeForScopedTokens).
    public static Task ScopeAsync(HttpContext context, string accepted)
    {
        if (accepted.Length > 0)
        {
            context.Response.Headers[ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName] = accepted;
        }

        return ApiTokenProblems.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            ApiTokenFailureCodes.Scope,
            "The token's scopes do not include this request.",
            accepted.Length > 0
                ? $"This request needs one of the scopes {accepted}; the token is narrowed to others. Create or change a token with one of them."
                : "This request names no scope, and this service refuses scoped tokens where no scope is named; use an unscoped token.");
    }

    // R16: the token's effective privilege is below what the request needs.
    public static Task InsufficientPrivilegeAsync(HttpContext context, TokenPrivilege needed, TokenPrivilege? has)
        => ApiTokenProblems.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            ApiTokenFailureCodes.InsufficientPrivilege,
            "The token's privilege is too low for this request.",
            $"This request needs {ApiTokenPrivilegeNames.Display(needed)} privilege; the token has {(has is { } p ? ApiTokenPrivilegeNames.Display(p) : "none")}.");
}
