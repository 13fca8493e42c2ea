
namespace ApiTokens.AspNetCore.Authentication;

/// <summary>The <c>code</c> values of failed API requests (docs/wire-protocol.md), as Circonus clients read them.</summary>
public static class ApiTokenFailureCodes
{
    /// <summary>No, unknown, malformed or retired token, or its owner left the account (401).</summary>
    public const string BadToken = "Unauthorized.BadToken";

    /// <summary>A token without an application name, or an invalid one (401).</summary>
    public const string BadApp = "Unauthorized.BadApp";

    /// <summary>The application waits for approval (401).</summary>
    public const string PendingApp = "Unauthorized.PendingApp";

    /// <summary>The application is denied (403).</summary>
    public const string DeniedApp = "Forbidden.BadApp";

    /// <summary>The token already records the most applications it may (403).</summary>
    public const string TooManyApps = "Forbidden.TooManyApps";

    /// <summary>The token's effective privilege is too low for the endpoint (403).</summary>
    public const string InsufficientPrivilege = "Forbidden.InsufficientPrivilege";

    /// <summary>Authorization failed for a reason of the host's own policy (403).</summary>
    public const string Forbidden = "Forbidden";

    /// <summary>The token store could not be read (503).</summary>
    public const string StoreUnavailable = "ServiceUnavailable.TokenStore";

    /// <summary>The client failed authentication too often; only tokens it already uses keep working (429, R27).</summary>
    public const string AuthFailures = "TooManyRequests.AuthFailures";

    /// <summary>The request comes from outside the token's allowed networks (R33): 403.</summary>
    public const string Network = "Forbidden.Network";

    /// <summary>403: the token is scoped and holds none of the scopes the endpoint accepts (R42); <c>X-Accepted-ApiToken-Scopes</c> names them.</summary>
    public const string Scope = "Forbidden.Scope";

    /// <summary>The token is over its rate limit (R34): 429 with <c>Retry-After</c>.</summary>
    public const string RateLimit = "TooManyRequests.RateLimit";
}
