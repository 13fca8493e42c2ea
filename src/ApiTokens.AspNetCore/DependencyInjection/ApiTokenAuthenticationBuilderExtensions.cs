using ApiTokens;
using ApiTokens.AspNetCore;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;
using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.AspNetCore.Gateways;
using ApiTokens.AspNetCore.LeakReports;
using ApiTokens.AspNetCore.Webhooks;
using ApiTokens.Auditing;
using ApiTokens.Webhooks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the ApiTokens authentication scheme.</summary>
public static class ApiTokenAuthenticationBuilderExtensions
{
    /// <summary>Adds the <c>ApiTokens</c> scheme with default options.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddApiTokens(this AuthenticationBuilder builder)
        => builder.AddApiTokens(ApiTokenAuthenticationDefaults.AuthenticationScheme, _ => { });

    /// <summary>Adds an ApiTokens scheme under <paramref name="authenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddApiTokens(this AuthenticationBuilder builder, string authenticationScheme)
        => builder.AddApiTokens(authenticationScheme, _ => { });

    /// <summary>Adds the <c>ApiTokens</c> scheme.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddApiTokens(this AuthenticationBuilder builder, Action<ApiTokenAuthenticationOptions> configureOptions)
        => builder.AddApiTokens(ApiTokenAuthenticationDefaults.AuthenticationScheme, configureOptions);

    /// <summary>
    /// Adds an ApiTokens scheme, the domain services (<c>services.AddApiTokens()</c>, safe to call as
    /// well, with the validation flow and its cache), the R16 authorization handler and the
    /// <c>ApiTokens</c> policy.
    /// A store and a membership source must be added through <c>services.AddApiTokens()</c>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configureOptions">Configures the scheme.</param>
    /// <returns>The builder.</returns>
    public static AuthenticationBuilder AddApiTokens(this AuthenticationBuilder builder, string authenticationScheme, Action<ApiTokenAuthenticationOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configureOptions);

        var services = builder.Services;
        services.AddApiTokens();
        services.TryAddSingleton<ApiTokenIdentities>();

        // The management endpoints seal their page cursors with it (as cookies are sealed).
        services.AddDataProtection();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ApiTokenPrivilegeAuthorizationHandler>());
        services.TryAddSingleton<IApiTokenActorResolver, ClaimsApiTokenActorResolver>();

        // R31: the secret-scanning report endpoint's keys and options ("ApiTokens:LeakReports").
        services.AddHttpClient(GitHubSecretScanningKeys.HttpClientName);
        services.TryAddSingleton<GitHubSecretScanningKeys>();
        services.AddOptions<ApiTokenLeakReportOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenLeakReportOptions>, ConfigureLeakReports>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenLeakReportOptions>, ValidateLeakReports>());
        // R40, R41: the gateway endpoints' clients, rules and trusted proxies ("ApiTokens:Introspection",
        // "ApiTokens:ForwardAuth"), checked at start whether or not the endpoints are mapped.
        services.AddOptions<ApiTokenIntrospectionOptions>().ValidateOnStart();
        services.AddOptions<ApiTokenForwardAuthOptions>().ValidateOnStart();
        services.TryAddSingleton<GatewayConfiguration>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenIntrospectionOptions>, GatewayConfiguration>(static sp => sp.GetRequiredService<GatewayConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenForwardAuthOptions>, GatewayConfiguration>(static sp => sp.GetRequiredService<GatewayConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenIntrospectionOptions>, GatewayValidation>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenForwardAuthOptions>, GatewayValidation>());

        // R37: the sender of webhook deliveries, on connections that refuse the service's own network.
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static sp => WebhookConnections.CreateHandler(sp.GetRequiredService<IOptionsMonitor<ApiTokenWebhookOptions>>()));
        services.TryAddSingleton<WebhookSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WebhookSender>(static sp => sp.GetRequiredService<WebhookSender>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApiTokenEventHandler, WebhookSender>(static sp => sp.GetRequiredService<WebhookSender>()));

        // The full set, not just the core: WebApplication adds UseAuthorization when it sees authorization
        // services, and that middleware needs the policy evaluator too.
        services.AddAuthorization();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<AuthorizationOptions>, ConfigureApiTokenPolicy>());
        // "Authentication:Schemes:<scheme>" first, then configureOptions; checked when the host starts
        // rather than on the first request (R43).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenAuthenticationOptions>, ApiTokenSchemeConfiguration>());
        services.AddOptions<ApiTokenAuthenticationOptions>(authenticationScheme).ValidateOnStart();
        return builder.AddScheme<ApiTokenAuthenticationOptions, ApiTokenAuthenticationHandler>(authenticationScheme, ApiTokenAuthenticationDefaults.DisplayName, configureOptions);
    }

    // R43: every key of "ApiTokens:LeakReports".
    internal static readonly SettingsSchema LeakReportsSchema = new SettingsSchema()
        .Text(nameof(ApiTokenLeakReportOptions.GitHubKeysUrl))
        .Duration(nameof(ApiTokenLeakReportOptions.KeysTimeout))
        .Duration(nameof(ApiTokenLeakReportOptions.KeysRefreshInterval))
        .Duration(nameof(ApiTokenLeakReportOptions.RetryAfter));

    private sealed class ConfigureLeakReports(IServiceProvider services) : IConfigureOptions<ApiTokenLeakReportOptions>
    {

        public void Configure(ApiTokenLeakReportOptions options)
        {
            if (services.GetService<IConfiguration>()?.GetSection(ApiTokenLeakReportOptions.SectionName) is { } section)
            {
                LeakReportsSchema.ThrowIfInvalid<ApiTokenLeakReportOptions>(section);
                section.Bind(options);
            }
        }
    }

    private sealed class ValidateLeakReports : IValidateOptions<ApiTokenLeakReportOptions>
    {
        public ValidateOptionsResult Validate(string? name, ApiTokenLeakReportOptions options)
            => ApiTokenLeakReportOptions.Validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    // The "ApiTokens" policy: the default scheme, an authenticated user, R16 by method.
    private sealed class ConfigureApiTokenPolicy : IConfigureOptions<AuthorizationOptions>
    {
        public void Configure(AuthorizationOptions options)
        {
            if (options.GetPolicy(ApiTokenAuthenticationDefaults.PolicyName) is null)
            {
                options.AddPolicy(ApiTokenAuthenticationDefaults.PolicyName, p => p
                    .AddAuthenticationSchemes(ApiTokenAuthenticationDefaults.AuthenticationScheme)
                    .RequireAuthenticatedUser()
                    .AddRequirements(ApiTokenPrivilegeRequirement.ByMethod));
            }
        }
    }
}
