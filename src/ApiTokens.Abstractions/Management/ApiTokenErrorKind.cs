
namespace ApiTokens.Management;

/// <summary>The class of a management failure; transports map it to a status (400, 403, 404, 409, 412, 501).</summary>
public enum ApiTokenErrorKind
{
    /// <summary>The request itself is invalid (HTTP 400).</summary>
    Invalid = 0,

    /// <summary>The actor may not do this (HTTP 403).</summary>
    Forbidden = 1,

    /// <summary>No such token, or not visible to the actor (HTTP 404, R5).</summary>
    NotFound = 2,

    /// <summary>The token's state does not allow it, or a race was lost (HTTP 409).</summary>
    Conflict = 3,

    /// <summary>The token is no longer at the version the caller expected (HTTP 412, <c>If-Match</c>).</summary>
    PreconditionFailed = 4,

    /// <summary>The store lacks the capability the operation needs (HTTP 501).</summary>
    NotSupported = 5,
}
