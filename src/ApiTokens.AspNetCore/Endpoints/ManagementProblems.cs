using ApiTokens.AspNetCore.Http;
using ApiTokens.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApiTokens.AspNetCore.Endpoints;

// Turns management failures into problem+json with a stable code, written by the one writer the
// authentication scheme uses too (ApiTokenProblems).
internal static class ManagementProblems
{
    public const string NotSignedInCode = "NotSignedIn";

    public static ProblemHttpResult From(HttpContext context, ApiTokenError error) => Create(context, StatusFor(error.Kind), error.Code, error.Description);

    public static ProblemHttpResult InvalidRequest(HttpContext context, string explanation)
        => Create(context, StatusCodes.Status400BadRequest, ApiTokenErrorCodes.InvalidRequest, explanation);

    public static ProblemHttpResult NotSignedIn(HttpContext context)
        => Create(context, StatusCodes.Status401Unauthorized, NotSignedInCode, "Sign in to manage API tokens.");

    public static int StatusFor(ApiTokenErrorKind kind) => kind switch
    {
        ApiTokenErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ApiTokenErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ApiTokenErrorKind.NotFound => StatusCodes.Status404NotFound,
        ApiTokenErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ApiTokenErrorKind.NotSupported => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status409Conflict,
    };

    // A management error has one description: it is both the message and the explanation.
    private static ProblemHttpResult Create(HttpContext context, int status, string code, string description)
        => ApiTokenProblems.Result(context, status, code, description, description);
}
