using ApiTokens;
using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Diagnostics;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Recording;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using ApiTokens.Validation;
using ApiTokens.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ApiTokens domain services.</summary>
public static class ApiTokensServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ApiTokenManager"/> (scoped), <see cref="ApiTokenValidator"/> with its cache and
    /// <see cref="ApiTokenSecretCodec"/> (singletons), the options, and a hosted service that writes
    /// last-use times and usage counts (R22, R35). Safe to call more than once. <see cref="ApiTokenOptions"/> are read
    /// from the <c>ApiTokens</c> section of the host's <c>IConfiguration</c> (appsettings.json,
    /// <c>ApiTokens__CacheLifetime</c> environment variables, the command line) and then from
    /// <paramref name="configure"/>, which wins; a value that does not convert, or is out of range,
    /// stops the host at start with a message naming it. A store (for example <c>.AddInMemoryStore()</c>) and a membership source
    /// (<see cref="ApiTokensBuilder.AddMembership{TMembership}"/>) must be added too: the host checks at
    /// start-up and names the missing call.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="ApiTokenOptions"/>, after the configuration section.</param>
    /// <returns>A builder for further configuration.</returns>
    public static ApiTokensBuilder AddApiTokens(this IServiceCollection services, Action<ApiTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ApiTokenOptions>().ValidateOnStart();

        // The "ApiTokens" configuration section first, code after it (ApiTokenOptionsConfiguration).
        services.TryAddSingleton<ApiTokenOptionsConfiguration>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenOptions>, ApiTokenOptionsConfiguration>(static sp => sp.GetRequiredService<ApiTokenOptionsConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<ApiTokenOptions>, ApiTokenOptionsConfiguration>(static sp => sp.GetRequiredService<ApiTokenOptionsConfiguration>()));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        // R36: the first token from "ApiTokens:Bootstrap", ensured before the host serves.
        services.AddOptions<ApiTokenBootstrapOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenBootstrapOptions>, ApiTokenBootstrapConfiguration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenBootstrapOptions>, ApiTokenBootstrapValidator>());
        services.AddHostedService<ApiTokenBootstrapper>();

        // R37: webhook settings from "ApiTokens:Webhooks", and the rules of an account's endpoints
        // (its signing secrets protected by the host's data protection).
        services.AddOptions<ApiTokenWebhookOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ApiTokenWebhookOptions>, ApiTokenWebhookConfiguration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenWebhookOptions>, ApiTokenWebhookValidator>());
        services.TryAddScoped(static sp => new ApiTokenWebhookManager(
            sp.GetService<IApiTokenWebhookStore>(),
            sp.GetRequiredService<IAccountMembership>(),
            sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(),
            sp.GetRequiredService<IOptions<ApiTokenWebhookOptions>>(),
            sp.GetRequiredService<TimeProvider>()));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenOptions>, ApiTokenOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenOptions>, ApiTokenServicesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ApiTokenInstruments>();
        services.TryAddSingleton<ApiTokenSecretCodec>();
        services.TryAddSingleton<ApiTokenEventDispatcher>();

        // The validation flow, one part per job (docs/architecture.md): reading tokens, the cache,
        // the client throttle, admission, recording uses and new apps.
        services.TryAddSingleton<SelfRotationFollowUps>();
        services.TryAddSingleton<TokenLookup>();
        services.TryAddSingleton<ApiTokenCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApiTokenChangeListener, ApiTokenCache>(static sp => sp.GetRequiredService<ApiTokenCache>()));
        services.TryAddSingleton<ApiTokenChanges>();
        services.TryAddSingleton<ClientThrottle>();
        services.TryAddSingleton<RefusalAuditor>();
        services.TryAddSingleton<TokenAdmission>();
        services.TryAddSingleton<UseRecorder>();
        services.TryAddSingleton<AppRecorder>();
        services.AddHostedService<UseFlusher>();
        services.AddHostedService<ApiTokens.Lifecycle.LifecycleSweeper>();
        services.TryAddSingleton<CacheWarmer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CacheWarmer>(static sp => sp.GetRequiredService<CacheWarmer>()));
        services.TryAddSingleton<RevocationRequests>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RevocationRequests>(static sp => sp.GetRequiredService<RevocationRequests>()));

        // Public types with internal constructors: built here from the same services.
        services.TryAddSingleton(static sp => new ApiTokenValidator(
            sp.GetRequiredService<ApiTokenCache>(),
            sp.GetRequiredService<ApiTokenSecretCodec>(),
            sp.GetRequiredService<ClientThrottle>(),
            sp.GetRequiredService<TokenAdmission>(),
            sp.GetRequiredService<UseRecorder>(),
            sp.GetRequiredService<AppRecorder>(),
            sp.GetRequiredService<ApiTokenInstruments>(),
            sp.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ApiTokenValidator>>()));
        services.TryAddSingleton(static sp => new ApiTokenChangeFeed(
            sp.GetRequiredService<ApiTokenCache>(),
            sp.GetServices<IApiTokenChangeListener>(),
            sp.GetServices<IApiTokenChangeNotifier>(),
            sp.GetRequiredService<ApiTokenInstruments>(),
            sp.GetRequiredService<ILogger<ApiTokenChangeFeed>>()));
        services.TryAddScoped(static sp => new ApiTokenManager(
            sp.GetRequiredService<IApiTokenStore>(),
            sp.GetRequiredService<IAccountMembership>(),
            sp.GetRequiredService<ApiTokenSecretCodec>(),
            sp.GetRequiredService<IOptions<ApiTokenOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ApiTokenChanges>(),
            sp.GetRequiredService<ApiTokenEventDispatcher>(),
            sp.GetRequiredService<UseRecorder>(),
            sp.GetRequiredService<RevocationRequests>(),
            sp.GetRequiredService<ILogger<ApiTokenManager>>(),
            sp.GetService<IApiTokenBatchLookupStore>(),
            sp.GetService<IApiTokenAuditStore>(),
            sp.GetService<IApiTokenUsageStore>(),
            sp.GetService<IApiTokenOutboxStore>(),
            sp.GetService<IApiTokenWebhookStore>(),
            sp.GetService<IApiTokenLifecycleStore>()));
        return new ApiTokensBuilder(services);
    }
}
