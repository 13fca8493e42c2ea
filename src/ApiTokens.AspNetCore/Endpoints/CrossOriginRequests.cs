using ApiTokens.AspNetCore.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApiTokens.AspNetCore.Endpoints;

// R30: a state-changing request that a browser sends from another origin changes nothing (403
// CrossOriginRequest). SameSite cookies do not cover this: a page on another port of the same host
// is the same site. Browsers say where a request comes from; other clients send neither header and
// are not affected:
// - Sec-Fetch-Site (every current browser): only "same-origin" (and "none": the user's own action)
//   passes; "same-site" (another port or subdomain) and "cross-site" are refused;
// - otherwise Origin (sent by browsers on every POST, PUT, PATCH and DELETE): it must be this
//   request's own scheme://host[:port]. Behind a proxy, let ASP.NET's forwarded-headers middleware
//   set the scheme and host first.
internal static class CrossOriginRequests
{
    public const string Code = "CrossOriginRequest";

    public static ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => IsCrossOriginBrowserWrite(context.HttpContext.Request)
            ? ValueTask.FromResult<object?>(Refuse(context.HttpContext))
            : next(context);

    public static bool IsCrossOriginBrowserWrite(HttpRequest request)
    {
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
        {
            return false;
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite.Count > 0)
        {
            return !(fetchSite.Count == 1 && (string.Equals(fetchSite[0], "same-origin", StringComparison.OrdinalIgnoreCase) || string.Equals(fetchSite[0], "none", StringComparison.OrdinalIgnoreCase)));
        }

        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return false;
        }

        return origin.Count != 1 || !string.Equals(origin[0], request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static ProblemHttpResult Refuse(HttpContext context)
        => ApiTokenProblems.Result(
            context,
            StatusCodes.Status403Forbidden,
            Code,
            "Cross-origin requests cannot change API tokens.",
            "A browser sent this request from another origin (another site, subdomain, port or scheme); nothing was changed. Use the page this service serves, or a non-browser client.");
}
