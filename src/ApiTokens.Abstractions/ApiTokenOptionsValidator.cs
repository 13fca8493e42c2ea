using ApiTokens.Secrets;
using ApiTokens.Validation;
using Microsoft.Extensions.Options;

namespace ApiTokens;

internal sealed class ApiTokenOptionsValidator : IValidateOptions<ApiTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenOptions options)
    {
        List<string>? failures = null;
        if (!Enum.IsDefined(options.DefaultAppState))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultAppState)} must be Allow, Pending or Deny.");
        }

        if (options.MaxAppsPerToken is < 1 or > ApiTokenOptions.MaxAppsPerTokenLimit)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.MaxAppsPerToken)} must be between 1 and {ApiTokenOptions.MaxAppsPerTokenLimit}.");
        }

        if (options.UsageRetention < TimeSpan.FromDays(1) || options.UsageRetention > TimeSpan.FromDays(366))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.UsageRetention)} must be from 1 to 366 days.");
        }

        if (options.DefaultRateLimit is { IsValid: false })
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultRateLimit)} needs a Limit from 1 to {ApiTokenRateLimit.MaxLimit} and WindowSeconds from 1 to {ApiTokenRateLimit.MaxWindowSeconds}.");
        }

        foreach (var (scope, description) in options.Scopes)
        {
            if (!ApiTokenScopes.IsValidName(scope) || string.IsNullOrWhiteSpace(description) || description.Length > ApiTokenOptions.MaxDescriptionLength)
            {
                (failures ??= []).Add($"{nameof(ApiTokenOptions.Scopes)}: '{scope}' must be resource:action (a-z, 0-9, '_', '.', '-'; at most {ApiTokenScopes.MaxLength} characters) with a description of 1 to {ApiTokenOptions.MaxDescriptionLength} characters.");
                break;
            }
        }

        if (!Enum.IsDefined(options.SecretFormat))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretFormat)} must be Prefixed or Uuid.");
        }

        if (!ApiTokenSecretCodec.IsValidPrefix(options.SecretPrefix))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretPrefix)} must be 1 to {ApiTokenSecretCodec.MaxPrefixLength} ASCII letters or digits.");
        }

        if (options.CacheLifetime < TimeSpan.Zero || options.CacheLifetime > ApiTokenOptions.MaxCacheLifetime)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.CacheLifetime)} must be between zero and one hour.");
        }

        if (options.CacheSizeLimit < 1)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.CacheSizeLimit)} must be positive.");
        }

        if (options.StoreRetryAfter < TimeSpan.FromSeconds(1) || options.StoreRetryAfter > TimeSpan.FromDays(1))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.StoreRetryAfter)} must be between one second and one day.");
        }

        if (options.DegradedCacheLifetime < TimeSpan.FromMilliseconds(1) || options.DegradedCacheLifetime > TimeSpan.FromMinutes(1))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DegradedCacheLifetime)} must be between one millisecond and one minute.");
        }

        if (options.StoreTimeout < TimeSpan.FromMilliseconds(10) || options.StoreTimeout > TimeSpan.FromMinutes(1))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.StoreTimeout)} must be between 10 milliseconds and one minute.");
        }

        if (options.MaxActiveTokensPerUser is < 1 or > 1_000_000)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.MaxActiveTokensPerUser)} must be between 1 and 1,000,000.");
        }

        if (options.MaxActiveAccountTokens is < 1 or > 1_000_000)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.MaxActiveAccountTokens)} must be between 1 and 1,000,000.");
        }

        if (options.FailureLimit < 0 || options.FailureLimit > FailureThrottle.MaxLimit)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.FailureLimit)} must be between 0 (off) and {FailureThrottle.MaxLimit}.");
        }

        if (options.FailureWindow < TimeSpan.FromSeconds(1) || options.FailureWindow > TimeSpan.FromDays(1))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.FailureWindow)} must be between one second and one day.");
        }

        // R21: lifetimes are positive; a default beyond the maximum could never be granted.
        var maxLifetime = TimeSpan.FromDays(ApiTokenOptions.MaxLifetimeDays);
        if (options.DefaultLifetime is { } defaultLifetime && (defaultLifetime <= TimeSpan.Zero || defaultLifetime > maxLifetime))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultLifetime)} must be positive and at most {ApiTokenOptions.MaxLifetimeDays} days, or not set.");
        }

        if (options.MaxLifetime is { } max && (max <= TimeSpan.Zero || max > maxLifetime))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.MaxLifetime)} must be positive and at most {ApiTokenOptions.MaxLifetimeDays} days, or not set.");
        }

        if (options.DefaultLifetime > options.MaxLifetime)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultLifetime)} must not exceed {nameof(ApiTokenOptions.MaxLifetime)}.");
        }

        if (options.MaxRotationGracePeriod < TimeSpan.Zero || options.MaxRotationGracePeriod > TimeSpan.FromDays(365))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.MaxRotationGracePeriod)} must be between zero and 365 days.");
        }

        if (options.RotationGracePeriod < TimeSpan.Zero || options.RotationGracePeriod > options.MaxRotationGracePeriod)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.RotationGracePeriod)} must be between zero and {nameof(ApiTokenOptions.MaxRotationGracePeriod)}.");
        }

        if (options.LastUsedGranularity != TimeSpan.Zero && (options.LastUsedGranularity < TimeSpan.FromMilliseconds(10) || options.LastUsedGranularity > TimeSpan.FromDays(1)))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.LastUsedGranularity)} must be zero (off) or between 10 milliseconds and one day.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
