
namespace ApiTokens.Validation;

/// <summary>The outcome of validating a presented secret and application name (docs/wire-protocol.md).</summary>
public enum ApiTokenValidationStatus
{
    /// <summary>Authenticated.</summary>
    Success = 0,

    /// <summary>No, unknown, malformed or retired token, or its owner left the account (401 <c>Unauthorized.BadToken</c>).</summary>
    BadToken = 1,

    /// <summary>No application name, or an invalid one (401 <c>Unauthorized.BadApp</c>).</summary>
    BadApp = 2,

    /// <summary>The application waits for approval (401 <c>Unauthorized.PendingApp</c>).</summary>
    PendingApp = 3,

    /// <summary>The application is denied (403 <c>Forbidden.BadApp</c>).</summary>
    DeniedApp = 4,

    /// <summary>The token already records the most applications it may (403 <c>Forbidden.TooManyApps</c>).</summary>
    TooManyApps = 5,

    /// <summary>The store could not be read (503 <c>ServiceUnavailable.TokenStore</c>).</summary>
    StoreUnavailable = 6,

    /// <summary>
    /// The client failed authentication too often and the secret is not cached (429
    /// <c>TooManyRequests.AuthFailures</c>, R27); see <see cref="ApiTokenValidationResult.RetryAfter"/>.
    /// </summary>
    Throttled = 7,

    /// <summary>The request comes from outside the token's allowed networks (R33).</summary>
    NetworkNotAllowed = 8,

    /// <summary>The token is over its rate limit (R34); <see cref="ApiTokenValidationResult.RetryAfter"/> says for how long.</summary>
    RateLimited = 9,
}
