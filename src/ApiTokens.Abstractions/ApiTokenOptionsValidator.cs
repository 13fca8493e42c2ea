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

        if (!Enum.IsDefined(options.SecretFormat))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretFormat)} must be Prefixed or Uuid.");
        }

        if (!SecretCodec.IsValidPrefix(options.SecretPrefix))
        {
            (failures ??= []).Add($"{nameof(ApiTokenOptions.SecretPrefix)} must be 1 to {SecretCodec.MaxPrefixLength} ASCII letters or digits.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
