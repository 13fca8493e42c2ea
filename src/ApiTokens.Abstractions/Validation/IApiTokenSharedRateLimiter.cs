namespace ApiTokens.Validation;

/// <summary>
/// Counts token rate limits (R34) for every node together, so n nodes allow N requests per window,
/// not n × N. Registered by a package such as <c>ApiTokens.RateLimiting.Redis</c>; without one,
/// each node counts on its own.
/// </summary>
/// <remarks>
/// The validator asks it on every request of a token that has a limit, so it must answer within a
/// small budget: when it cannot (the shared store is down or slow), it answers
/// <see cref="ApiTokenRateLimitOutcome.Unavailable"/> at once and the node counts on its own —
/// never unlimited, never a failed request.
/// </remarks>
public interface IApiTokenSharedRateLimiter
{
    /// <summary>Takes one request from the token's window.</summary>
    /// <param name="tokenId">The token.</param>
    /// <param name="rateLimit">Its limit.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    /// <returns>Whether the request may go on.</returns>
    ValueTask<ApiTokenRateLimitDecision> TryAcquireAsync(string tokenId, ApiTokenRateLimit rateLimit, CancellationToken cancellationToken);
}

/// <summary>What a shared limiter decided.</summary>
public enum ApiTokenRateLimitOutcome
{
    /// <summary>Within the limit.</summary>
    Acquired,

    /// <summary>Over the limit.</summary>
    Refused,

    /// <summary>No answer in time: the node counts on its own.</summary>
    Unavailable,
}

/// <summary>A shared limiter's decision (R34).</summary>
/// <param name="Outcome">Acquired, refused or unavailable.</param>
/// <param name="RetryAfter">When refused: how long until the window ends.</param>
public readonly record struct ApiTokenRateLimitDecision(ApiTokenRateLimitOutcome Outcome, TimeSpan RetryAfter);
