using ApiTokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ApiTokens domain services.</summary>
public static class ApiTokensServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ApiTokenManager"/>, <see cref="ApiTokenValidator"/> and the options. Safe to call
    /// more than once. A store (for example <c>.AddInMemoryStore()</c>) and a membership source
    /// (<see cref="ApiTokensBuilder.AddMembership{TMembership}"/>) must be added too.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="ApiTokenOptions"/>.</param>
    /// <returns>A builder for further configuration.</returns>
    public static ApiTokensBuilder AddApiTokens(this IServiceCollection services, Action<ApiTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ApiTokenOptions>().ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenOptions>, ApiTokenOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SecretCodec(sp.GetRequiredService<IOptions<ApiTokenOptions>>()));
        services.TryAddScoped<ApiTokenManager>();
        services.TryAddScoped<ApiTokenValidator>();
        return new ApiTokensBuilder(services);
    }
}
