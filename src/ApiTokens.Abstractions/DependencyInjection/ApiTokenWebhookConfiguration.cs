using ApiTokens.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens;

// ApiTokenWebhookOptions from "ApiTokens:Webhooks", code after it (R37).
internal sealed class ApiTokenWebhookConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenWebhookOptions>
{
    // R43: every key of the section.
    internal static readonly SettingsSchema Schema = new SettingsSchema()
        .Duration(nameof(ApiTokenWebhookOptions.Timeout))
        .List(nameof(ApiTokenWebhookOptions.RetrySchedule), Setting.Item(SettingKind.Duration))
        .Duration(nameof(ApiTokenWebhookOptions.DisableAfter))
        .Boolean(nameof(ApiTokenWebhookOptions.AllowPrivateNetworks))
        .Duration(nameof(ApiTokenWebhookOptions.PollInterval))
        .Integer(nameof(ApiTokenWebhookOptions.MaxEndpointsPerAccount));

    public void Configure(ApiTokenWebhookOptions options)
    {
        if (services.GetService<IConfiguration>()?.GetSection(ApiTokenWebhookOptions.SectionName) is { } section)
        {
            Schema.ThrowIfInvalid<ApiTokenWebhookOptions>(section);
            section.Bind(options);
        }
    }
}

internal sealed class ApiTokenWebhookValidator : IValidateOptions<ApiTokenWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenWebhookOptions options)
        => ApiTokenWebhookOptions.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
