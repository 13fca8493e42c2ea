
namespace ApiTokens.Validation;

/// <summary>The outcome of <see cref="ApiTokenValidator"/>: a status and, on success, the validated token.</summary>
public sealed class ApiTokenValidationResult
{
    // Failures carry no data, so one instance of each serves every request.
    private static readonly ApiTokenValidationResult[] s_failures =
    [
        new(ApiTokenValidationStatus.Success, null),
        new(ApiTokenValidationStatus.BadToken, null),
        new(ApiTokenValidationStatus.BadApp, null),
        new(ApiTokenValidationStatus.PendingApp, null),
        new(ApiTokenValidationStatus.DeniedApp, null),
        new(ApiTokenValidationStatus.TooManyApps, null),
        new(ApiTokenValidationStatus.StoreUnavailable, null),
        new(ApiTokenValidationStatus.Throttled, null),
        new(ApiTokenValidationStatus.NetworkNotAllowed, null),
        new(ApiTokenValidationStatus.RateLimited, null),
    ];

    private ApiTokenValidationResult(ApiTokenValidationStatus status, ValidatedApiToken? token, TimeSpan? retryAfter = null, ApiTokenRateLimit? rateLimit = null)
    {
        Status = status;
        Token = token;
        RetryAfter = retryAfter;
        RateLimit = rateLimit;
    }

    /// <summary>For <see cref="ApiTokenValidationStatus.RateLimited"/>: the limit the token is over (R34), for the <c>RateLimit-Policy</c> header.</summary>
    public ApiTokenRateLimit? RateLimit { get; }

    /// <summary>A token over its rate limit (R34).</summary>
    /// <param name="rateLimit">The limit.</param>
    /// <param name="retryAfter">How long until the token's window ends.</param>
    /// <returns>The result.</returns>
    public static ApiTokenValidationResult RateLimited(ApiTokenRateLimit rateLimit, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(rateLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new(ApiTokenValidationStatus.RateLimited, null, retryAfter, rateLimit);
    }

    /// <summary>The outcome.</summary>
    public ApiTokenValidationStatus Status { get; }

    /// <summary>The validated token when <see cref="Status"/> is <see cref="ApiTokenValidationStatus.Success"/>.</summary>
    public ValidatedApiToken? Token { get; }

    /// <summary>
    /// When <see cref="Status"/> is <see cref="ApiTokenValidationStatus.Throttled"/>: how long until the
    /// client's failure window passes, if known.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>A <see cref="ApiTokenValidationStatus.Throttled"/> failure.</summary>
    /// <param name="retryAfter">How long until the client's failure window passes.</param>
    /// <returns>The result.</returns>
    public static ApiTokenValidationResult Throttled(TimeSpan retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        return new(ApiTokenValidationStatus.Throttled, null, retryAfter);
    }

    /// <summary>A success.</summary>
    /// <param name="token">The validated token.</param>
    /// <returns>The result.</returns>
    public static ApiTokenValidationResult Success(ValidatedApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new(ApiTokenValidationStatus.Success, token);
    }

    /// <summary>A failure (a shared instance).</summary>
    /// <param name="status">Any status but <see cref="ApiTokenValidationStatus.Success"/>.</param>
    /// <returns>The result.</returns>
    public static ApiTokenValidationResult Fail(ApiTokenValidationStatus status)
    {
        if (status == ApiTokenValidationStatus.Success || !Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException(nameof(status));
        }

        return s_failures[(int)status];
    }
}
