using ApiTokens.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens;

// ApiTokenWebhookOptions from "ApiTokens:Webhooks", code after it (R37).
internal sealed class ApiTokenWebhookConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenWebhookOptions>
{
    public void Configure(ApiTokenWebhookOptions options)
    {
        if (services.GetService<IConfiguration>()?.GetSection(ApiTokenWebhookOptions.SectionName) is { } section)
        {
            section.Bind(options);
        }
    }
}

internal sealed class ApiTokenWebhookValidator : IValidateOptions<ApiTokenWebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenWebhookOptions options)
        => ApiTokenWebhookOptions.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
