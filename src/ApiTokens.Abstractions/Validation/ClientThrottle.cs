using Microsoft.Extensions.Options;

namespace ApiTokens.Validation;

// R27 with the options applied: a client's failures counted in FailureThrottle's table; a client over
// FailureLimit within FailureWindow is throttled for any secret not already cached.
internal sealed class ClientThrottle(IOptionsMonitor<ApiTokenOptions> options, TimeProvider time)
{
    private readonly FailureThrottle _failures = new(time);

    public bool IsThrottled(string clientKey, out ApiTokenValidationResult result)
    {
        var current = options.CurrentValue;
        if (_failures.IsThrottled(clientKey, current.FailureLimit, current.FailureWindow, out var retryAfter))
        {
            result = ApiTokenValidationResult.Throttled(retryAfter);
            return true;
        }

        result = null!;
        return false;
    }

    public void RecordFailure(string clientKey)
    {
        var current = options.CurrentValue;
        if (current.FailureLimit > 0)
        {
            _failures.RecordFailure(clientKey, current.FailureWindow);
        }
    }

    // A failure refused without store I/O: counted against the client, or Throttled when it is over
    // the limit already.
    public ApiTokenValidationResult Refuse(ApiTokenValidationStatus status, string? clientKey)
    {
        if (clientKey is not null)
        {
            if (IsThrottled(clientKey, out var throttled))
            {
                return throttled;
            }

            RecordFailure(clientKey);
        }

        return ApiTokenValidationResult.Fail(status);
    }
}
