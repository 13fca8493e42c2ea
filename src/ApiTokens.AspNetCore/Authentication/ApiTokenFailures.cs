using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

// The wire protocol's failure table: status, code, and the words clients show.
internal static class ApiTokenFailures
{
    public static readonly Failure BadToken = new(StatusCodes.Status401Unauthorized, ApiTokenFailureCodes.BadToken,
        "The authentication token is missing or invalid.",
        "Send an active API token in the X-Circonus-Auth-Token header, or as the password of Basic authorization with the app name as user name.");

    public static readonly Failure BadApp = new(StatusCodes.Status401Unauthorized, ApiTokenFailureCodes.BadApp,
        "The application name is missing or invalid.",
        "Send the application's name in the X-Circonus-App-Name header: 1 to 256 characters without control characters.");

    public static readonly Failure PendingApp = new(StatusCodes.Status401Unauthorized, ApiTokenFailureCodes.PendingApp,
        "The application is waiting for approval.",
        ApiTokenAuthenticationOptions.DefaultPendingAppHint);

    public static readonly Failure DeniedApp = new(StatusCodes.Status403Forbidden, ApiTokenFailureCodes.DeniedApp,
        "The application is denied.",
        "A manager of the token has denied this application.");

    public static readonly Failure TooManyApps = new(StatusCodes.Status403Forbidden, ApiTokenFailureCodes.TooManyApps,
        "The token cannot record more applications.",
        "The token already records the most applications it may; use an application already recorded, or another token.");

    public static readonly Failure StoreUnavailable = new(StatusCodes.Status503ServiceUnavailable, ApiTokenFailureCodes.StoreUnavailable,
        "The token store is unavailable.",
        "The request could not be authenticated because the token store failed. Try again later.");

    public static readonly Failure Throttled = new(StatusCodes.Status429TooManyRequests, ApiTokenFailureCodes.AuthFailures,
        "Too many failed authentications.",
        "This client sent too many unknown or invalid tokens; tokens it already uses keep working. Wait for the time in Retry-After before trying another token.");

    public static readonly Failure NetworkNotAllowed = new(StatusCodes.Status403Forbidden, ApiTokenFailureCodes.Network,
        "The token may not be used from this network.",
        "The token's owner allows it only from certain networks, and this request comes from outside them.");

    public static readonly Failure RateLimited = new(StatusCodes.Status429TooManyRequests, ApiTokenFailureCodes.RateLimit,
        "The token is over its rate limit.",
        "The token has sent as many requests as its limit allows in this window; wait for the time in Retry-After.");

    public static Failure For(ApiTokenValidationStatus status) => status switch
    {
        ApiTokenValidationStatus.NetworkNotAllowed => NetworkNotAllowed,
        ApiTokenValidationStatus.RateLimited => RateLimited,
        ApiTokenValidationStatus.BadApp => BadApp,
        ApiTokenValidationStatus.PendingApp => PendingApp,
        ApiTokenValidationStatus.DeniedApp => DeniedApp,
        ApiTokenValidationStatus.TooManyApps => TooManyApps,
        ApiTokenValidationStatus.StoreUnavailable => StoreUnavailable,
        ApiTokenValidationStatus.Throttled => Throttled,
        _ => BadToken,
    };

    internal sealed record Failure(int Status, string Code, string Message, string Explanation);
}
