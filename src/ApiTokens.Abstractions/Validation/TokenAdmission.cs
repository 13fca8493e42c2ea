using System.Net;
using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Recording;

namespace ApiTokens.Validation;

// R33, R34: whether a request may use a token it presents, judged from the cached entry after the
// token is known valid and before any app is judged or recorded (a request from outside the token's
// networks records no new app). Synchronous and allocation-free unless a shared limiter is asked or
// the request is refused. Each refusal is counted for its app (R35) and audited once a minute.
internal sealed class TokenAdmission(UseRecorder uses, RefusalAuditor refusals, TimeProvider time, IApiTokenSharedRateLimiter? shared = null)
{
    // null when the request may use the token; otherwise its refusal.
    public ValueTask<ApiTokenValidationResult?> AdmitAsync(CachedApiToken entry, string appName, IPAddress? remoteAddress, CancellationToken cancellationToken)
    {
        if (entry.Networks is { } networks && !CompiledNetwork.Contains(networks, remoteAddress))
        {
            uses.Limited(entry, appName);
            refusals.NetworkRefused(entry, appName, remoteAddress);
            return new(ApiTokenValidationResult.Fail(ApiTokenValidationStatus.NetworkNotAllowed));
        }

        if (entry.Limiter is { } limiter)
        {
            if (shared is not null)
            {
                return AdmitSharedAsync(entry, limiter, appName, cancellationToken);
            }

            if (!limiter.TryAcquire(MonotonicClock.NowMs(time), out var retryAfter))
            {
                return new(RateLimited(entry, limiter, appName, retryAfter));
            }
        }

        return new((ApiTokenValidationResult?)null);
    }

    // Across nodes (Redis): the shared count decides; the local window counts too, so a node that
    // loses the shared store goes on from where it was rather than from zero.
    private async ValueTask<ApiTokenValidationResult?> AdmitSharedAsync(CachedApiToken entry, TokenRateLimiter limiter, string appName, CancellationToken cancellationToken)
    {
        var decision = await shared!.TryAcquireAsync(entry.TokenId, limiter.Policy, cancellationToken).ConfigureAwait(false);
        switch (decision.Outcome)
        {
            case ApiTokenRateLimitOutcome.Acquired:
                limiter.TryAcquire(MonotonicClock.NowMs(time), out _);
                return null;
            case ApiTokenRateLimitOutcome.Refused:
                return RateLimited(entry, limiter, appName, decision.RetryAfter);
            default:
                return limiter.TryAcquire(MonotonicClock.NowMs(time), out var retryAfter) ? null : RateLimited(entry, limiter, appName, retryAfter);
        }
    }

    private ApiTokenValidationResult RateLimited(CachedApiToken entry, TokenRateLimiter limiter, string appName, TimeSpan retryAfter)
    {
        uses.Limited(entry, appName);
        refusals.RateLimited(entry, appName, limiter.Policy);
        return ApiTokenValidationResult.RateLimited(limiter.Policy, retryAfter);
    }
}
