using System.Diagnostics;

namespace ApiTokens.Sample;

// Completes every problem+json the sample writes with Circonus's fields: code, message, explanation
// and reference (the trace id), so clients that read only those (COSI, go-apiclient) can report any
// error, a 404 or 405 of routing included.
internal static class SampleProblems
{
    public static void AddCirconusFields(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var extensions = problem.Extensions;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var message = problem.Title ?? "The request failed.";
        extensions.TryAdd("code", CodeFor(status));
        extensions.TryAdd("message", message);
        extensions.TryAdd("explanation", problem.Detail ?? ExplanationFor(status, context.HttpContext.Request) ?? message);
        extensions.TryAdd("reference", Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier);
    }

    private static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "InvalidRequest",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "NotFound",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowed",
        StatusCodes.Status415UnsupportedMediaType => "UnsupportedMediaType",
        _ => status >= 500 ? "ServerError" : "RequestFailed",
    };

    private static string? ExplanationFor(int status, HttpRequest request) => status switch
    {
        StatusCodes.Status404NotFound => $"Nothing is served at {request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
        _ => null,
    };
}
