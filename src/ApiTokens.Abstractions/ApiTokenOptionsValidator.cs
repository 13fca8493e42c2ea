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
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultAppState)} is {options.DefaultAppState}, which is not one of Allow, Pending, Deny.");
        }

        if (options.MaxAppsPerToken is < 1 or > ApiTokenOptions.MaxAppsPerTokenLimit)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.MaxAppsPerToken), options.MaxAppsPerToken, 1, ApiTokenOptions.MaxAppsPerTokenLimit));
        }

        Duration(ref failures, nameof(ApiTokenOptions.UsageRetention), options.UsageRetention, TimeSpan.FromDays(1), TimeSpan.FromDays(366), TimeSpan.FromDays(90));

        if (options.DefaultRateLimit is { IsValid: false } rateLimit)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultRateLimit)} is Limit {rateLimit.Limit}, WindowSeconds {rateLimit.WindowSeconds}; it needs a Limit from 1 to {ApiTokenRateLimit.MaxLimit} and WindowSeconds from 1 to {ApiTokenRateLimit.MaxWindowSeconds}, e.g. Limit 100, WindowSeconds 60.");
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
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretFormat)} is {options.SecretFormat}, which is not one of Prefixed, Uuid.");
        }

        if (!ApiTokenSecretCodec.IsValidPrefix(options.SecretPrefix))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretPrefix)} is '{options.SecretPrefix}'; it must be 1 to {ApiTokenSecretCodec.MaxPrefixLength} ASCII letters or digits, e.g. apt.");
        }

        Duration(ref failures, nameof(ApiTokenOptions.CacheLifetime), options.CacheLifetime, TimeSpan.Zero, ApiTokenOptions.MaxCacheLifetime, TimeSpan.FromSeconds(30));

        if (options.CacheSizeLimit < 1)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.CacheSizeLimit), options.CacheSizeLimit, 1, long.MaxValue));
        }

        Duration(ref failures, nameof(ApiTokenOptions.StoreRetryAfter), options.StoreRetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), TimeSpan.FromSeconds(5));
        Duration(ref failures, nameof(ApiTokenOptions.DegradedCacheLifetime), options.DegradedCacheLifetime, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1));
        Duration(ref failures, nameof(ApiTokenOptions.StoreTimeout), options.StoreTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2));

        if (options.MaxActiveTokensPerUser is < 1 or > 1_000_000)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.MaxActiveTokensPerUser), options.MaxActiveTokensPerUser, 1, 1_000_000));
        }

        if (options.MaxActiveAccountTokens is < 1 or > 1_000_000)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.MaxActiveAccountTokens), options.MaxActiveAccountTokens, 1, 1_000_000));
        }

        if (options.FailureLimit < 0 || options.FailureLimit > FailureThrottle.MaxLimit)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.FailureLimit), options.FailureLimit, 0, FailureThrottle.MaxLimit, "0 turning the throttle off"));
        }

        Duration(ref failures, nameof(ApiTokenOptions.FailureWindow), options.FailureWindow, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), TimeSpan.FromMinutes(1));

        // R21: lifetimes are positive; a default beyond the maximum could never be granted.
        var maxLifetime = TimeSpan.FromDays(ApiTokenOptions.MaxLifetimeDays);
        if (options.DefaultLifetime is { } defaultLifetime)
        {
            Duration(ref failures, nameof(ApiTokenOptions.DefaultLifetime), defaultLifetime, TimeSpan.Zero, maxLifetime, TimeSpan.FromDays(90), "or not set", aboveMin: true);
        }

        if (options.MaxLifetime is { } max)
        {
            Duration(ref failures, nameof(ApiTokenOptions.MaxLifetime), max, TimeSpan.Zero, maxLifetime, TimeSpan.FromDays(365), "or not set", aboveMin: true);
        }

        if (options.DefaultLifetime > options.MaxLifetime)
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.DefaultLifetime)} is {SettingRanges.Format(options.DefaultLifetime!.Value)}; it must not exceed {nameof(ApiTokenOptions.MaxLifetime)}, {SettingRanges.Format(options.MaxLifetime!.Value)}.");
        }

        Duration(ref failures, nameof(ApiTokenOptions.MaxRotationGracePeriod), options.MaxRotationGracePeriod, TimeSpan.Zero, TimeSpan.FromDays(365), TimeSpan.FromDays(7));
        Duration(ref failures, nameof(ApiTokenOptions.RotationGracePeriod), options.RotationGracePeriod, TimeSpan.Zero, options.MaxRotationGracePeriod < TimeSpan.Zero ? TimeSpan.Zero : options.MaxRotationGracePeriod, TimeSpan.FromHours(1), $"at most {nameof(ApiTokenOptions.MaxRotationGracePeriod)}");
        if (options.LastUsedGranularity != TimeSpan.Zero)
        {
            Duration(ref failures, nameof(ApiTokenOptions.LastUsedGranularity), options.LastUsedGranularity, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1), TimeSpan.FromMinutes(1), "or 00:00:00 for off");
        }

        if (options.ExpiryWarnings is { } warnings && (warnings.Length > 10 || Array.Exists(warnings, static w => w <= TimeSpan.Zero || w > TimeSpan.FromDays(ApiTokenOptions.MaxLifetimeDays))))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.ExpiryWarnings)} is {string.Join(", ", warnings.Select(SettingRanges.Format))}; it holds at most 10 durations, each more than 00:00:00 and at most {ApiTokenOptions.MaxLifetimeDays}.00:00:00, e.g. 7.00:00:00.");
        }

        Duration(ref failures, nameof(ApiTokenOptions.UnusedWarningAfter), options.UnusedWarningAfter, TimeSpan.Zero, TimeSpan.FromDays(ApiTokenOptions.MaxLifetimeDays), TimeSpan.FromDays(90), aboveMin: true);
        if (options.RetireUnusedAfter is { } retire)
        {
            Duration(ref failures, nameof(ApiTokenOptions.RetireUnusedAfter), retire, TimeSpan.Zero, TimeSpan.FromDays(ApiTokenOptions.MaxLifetimeDays), TimeSpan.FromDays(365), "or not set", aboveMin: true);
        }

        if (options.WarmUpTokens is < 0 or > 1_000_000)
        {
            (failures ??= []).Add(SettingRanges.Number(nameof(ApiTokenOptions.WarmUpTokens), options.WarmUpTokens, 0, 1_000_000, "0 turning it off"));
        }

        if (options.LifecycleSweepInterval != TimeSpan.Zero)
        {
            Duration(ref failures, nameof(ApiTokenOptions.LifecycleSweepInterval), options.LifecycleSweepInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), TimeSpan.FromHours(1), "or 00:00:00 for off");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Duration(ref List<string>? failures, string name, TimeSpan value, TimeSpan min, TimeSpan max, TimeSpan example, string? otherwise = null, bool aboveMin = false)
    {
        if (!SettingRanges.Within(value, min, max) || (aboveMin && value == min))
        {
            (failures ??= []).Add(SettingRanges.Duration(name, value, min, max, example, otherwise, aboveMin));
        }
    }
}
