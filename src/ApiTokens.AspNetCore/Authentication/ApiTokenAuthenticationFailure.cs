using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The failure carried by AuthenticateResult.Fail. Never thrown, so one instance per status is shared
// (a throttled one carries its own Retry-After).
// Its message never holds the secret.
internal sealed class ApiTokenAuthenticationFailure : Exception
{
    private static readonly ApiTokenAuthenticationFailure[] s_instances =
        [.. Enum.GetValues<ApiTokenValidationStatus>().Select(s => new ApiTokenAuthenticationFailure(s))];

    public ApiTokenAuthenticationFailure()
        : this(ApiTokenValidationStatus.BadToken)
    {
    }

    public ApiTokenAuthenticationFailure(string message)
        : base(message)
    {
        Status = ApiTokenValidationStatus.BadToken;
    }

    public ApiTokenAuthenticationFailure(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = ApiTokenValidationStatus.BadToken;
    }

    private ApiTokenAuthenticationFailure(ApiTokenValidationStatus status, TimeSpan? retryAfter = null, ApiTokenRateLimit? rateLimit = null)
        : base(ApiTokenFailures.For(status).Message)
    {
        Status = status;
        RetryAfter = retryAfter;
        RateLimit = rateLimit;
    }

    // For RateLimited: the token's limit (R34).
    public ApiTokenRateLimit? RateLimit { get; }

    public ApiTokenValidationStatus Status { get; }

    // For Throttled: how long until the client's failure window passes; for RateLimited, the token's.
    public TimeSpan? RetryAfter { get; }

    public static ApiTokenAuthenticationFailure For(ApiTokenValidationStatus status) => s_instances[(int)status];

    public static ApiTokenAuthenticationFailure For(ApiTokenValidationResult result)
        => result.RetryAfter is { } retryAfter ? new(result.Status, retryAfter, result.RateLimit) : For(result.Status);
}
