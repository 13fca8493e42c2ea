using System.Diagnostics;
using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ApiTokens.AspNetCore.Http;

// The one writer of error bodies, for the authentication scheme and the management endpoints
// alike: application/problem+json (RFC 9457) that also carries the fields Circonus clients read —
// code, message, explanation, reference (the request's trace id). title is the short message,
// detail the explanation.
internal static class ApiTokenProblems
{
    public static ProblemHttpResult Result(HttpContext context, int status, string code, string message, string explanation)
    {
        context.Response.Headers.CacheControl = "no-store";
        var reference = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        return TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = message,
            Detail = explanation,
            Extensions =
            {
                ["code"] = code,
                ["message"] = message,
                ["explanation"] = explanation,
                ["reference"] = reference,
            },
        });
    }

    // 503 for a failing store (R20), with Retry-After from the options.
    public static ProblemHttpResult StoreUnavailable(HttpContext context, TimeSpan retryAfter)
    {
        SetRetryAfter(context, retryAfter);
        var failure = ApiTokenFailures.StoreUnavailable;
        return Result(context, failure.Status, failure.Code, failure.Message, failure.Explanation);
    }

    // Whole seconds, rounded up, at least 1 (RFC 9110 delay-seconds).
    public static void SetRetryAfter(HttpContext context, TimeSpan retryAfter)
        => context.Response.Headers.RetryAfter = Math.Max(1L, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Task WriteAsync(HttpContext context, int status, string code, string message, string explanation)
        => Result(context, status, code, message, explanation).ExecuteAsync(context);
}
