using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApiTokens.AspNetCore.Endpoints;

// Turns management failures into problem+json with a stable code, in the same shape as the
// authentication failures (code, message, explanation, reference beside RFC 9457's fields).
internal static class ManagementProblems
{
    public const string NotSignedInCode = "NotSignedIn";
    public const string StoreUnavailableCode = ApiTokenFailureCodes.StoreUnavailable;

    public static ProblemHttpResult From(HttpContext context, ApiTokenError error) => Create(context, StatusFor(error.Kind), error.Code, error.Description);

    public static ProblemHttpResult InvalidRequest(HttpContext context, string explanation)
        => Create(context, StatusCodes.Status400BadRequest, ApiTokenErrorCodes.InvalidRequest, explanation);

    public static ProblemHttpResult NotSignedIn(HttpContext context)
        => Create(context, StatusCodes.Status401Unauthorized, NotSignedInCode, "Sign in to manage API tokens.");

    public static ProblemHttpResult StoreUnavailable(HttpContext context)
        => Create(context, StatusCodes.Status503ServiceUnavailable, StoreUnavailableCode, "The token store is unavailable. Try again later.");

    public static int StatusFor(ApiTokenErrorKind kind) => kind switch
    {
        ApiTokenErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ApiTokenErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ApiTokenErrorKind.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status409Conflict,
    };

    private static ProblemHttpResult Create(HttpContext context, int status, string code, string explanation)
    {
        var reference = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        return TypedResults.Problem(
            detail: explanation,
            statusCode: status,
            title: explanation,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = code,
                ["message"] = explanation,
                ["explanation"] = explanation,
                ["reference"] = reference,
            });
    }
}
