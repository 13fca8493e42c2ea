using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Gateways;

// "ApiTokens:Introspection" and "ApiTokens:ForwardAuth", checked strictly (R43), code after them.
internal sealed class GatewayConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenIntrospectionOptions>, IConfigureOptions<ApiTokenForwardAuthOptions>
{
    internal static readonly SettingsSchema IntrospectionSchema = new SettingsSchema()
        .List(nameof(ApiTokenIntrospectionOptions.Clients), Setting.ItemSection(new SettingsSchema()
            .Text(nameof(ApiTokenIntrospectionClient.ClientId))
            .Text(nameof(ApiTokenIntrospectionClient.SecretSha256))));

    internal static readonly SettingsSchema ForwardAuthSchema = new SettingsSchema()
        .List(nameof(ApiTokenForwardAuthOptions.Rules), Setting.ItemSection(new SettingsSchema()
            .Text(nameof(ApiTokenForwardAuthRule.PathPrefix))
            .List(nameof(ApiTokenForwardAuthRule.Methods), Setting.Item(SettingKind.Text))
            .Choice<TokenPrivilege>(nameof(ApiTokenForwardAuthRule.Privilege), optional: true)
            .Text(nameof(ApiTokenForwardAuthRule.Scope))))
        .List(nameof(ApiTokenForwardAuthOptions.TrustedProxies), Setting.Item(SettingKind.Text))
        .Integer(nameof(ApiTokenForwardAuthOptions.TooManyRequestsStatus));

    public void Configure(ApiTokenIntrospectionOptions options)
    {
        if (Section(ApiTokenIntrospectionOptions.SectionName) is { } section)
        {
            IntrospectionSchema.ThrowIfInvalid<ApiTokenIntrospectionOptions>(section);
            section.Bind(options);
        }
    }

    public void Configure(ApiTokenForwardAuthOptions options)
    {
        if (Section(ApiTokenForwardAuthOptions.SectionName) is { } section)
        {
            ForwardAuthSchema.ThrowIfInvalid<ApiTokenForwardAuthOptions>(section);
            section.Bind(options);
        }
    }

    private IConfigurationSection? Section(string name) => services.GetService<IConfiguration>()?.GetSection(name);
}

internal sealed class GatewayValidation : IValidateOptions<ApiTokenIntrospectionOptions>, IValidateOptions<ApiTokenForwardAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenIntrospectionOptions options)
        => ApiTokenIntrospectionOptions.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, ApiTokenForwardAuthOptions options)
        => ApiTokenForwardAuthOptions.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
