using ApiTokens.Validation;
using Microsoft.Extensions.Logging;

namespace ApiTokens.AspNetCore;

// Event ids 100–199 belong to ApiTokens.AspNetCore. Never log a secret, its hash or a cache key.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "API token authentication failed for scheme {Scheme}: {Status}.")]
    public static partial void AuthenticationFailed(ILogger logger, string scheme, ApiTokenValidationStatus status);

    // 101 was "store failed" before the validator became the one place that logs it; ids are never reused.

    [LoggerMessage(103, LogLevel.Information, "API token scopes hold none of [{Accepted}] for {Method} {Path} (empty: the endpoint names no scope and scoped tokens need one).")]
    public static partial void ScopeMissing(ILogger logger, string accepted, string method, string path);

    [LoggerMessage(102, LogLevel.Information, "API token privilege {Effective} is below the required {Required} for {Method} {Path}.")]
    public static partial void InsufficientPrivilege(ILogger logger, TokenPrivilege effective, TokenPrivilege required, string method, string path);
}
