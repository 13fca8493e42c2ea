using ApiTokens;
using ApiTokens.Stores.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Entity Framework Core token store.</summary>
public static class EntityFrameworkCoreApiTokensBuilderExtensions
{
    /// <summary>
    /// Stores tokens through <typeparamref name="TContext"/>, whose model must call
    /// <c>modelBuilder.UseApiTokens()</c>. Register a factory for it with <c>AddDbContextFactory</c> (or
    /// <c>AddPooledDbContextFactory</c>): the store is a thread-safe singleton that uses a context per
    /// operation. Safe to call more than once; replaces any other store.
    /// </summary>
    /// <remarks>
    /// The host checks at start-up that the factory is registered, that the model has the ApiTokens
    /// tables and that the provider is PostgreSQL (Npgsql) or SQLite, the providers the store is
    /// tested on; otherwise it stops with an <see cref="OptionsValidationException"/> that says what
    /// to fix.
    /// </remarks>
    /// <typeparam name="TContext">The context.</typeparam>
    /// <param name="builder">The ApiTokens builder.</param>
    /// <returns>The builder.</returns>
    public static ApiTokensBuilder AddEntityFrameworkCoreStore<TContext>(this ApiTokensBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiTokenOptions>, EntityFrameworkCoreStoreValidator<TContext>>());
        builder.Services.Configure<EntityFrameworkCoreStoreOptions>(o => o.ContextType = typeof(TContext));

        // Built by a factory, not by the container from the constructor: Development's ValidateOnBuild
        // would otherwise stop a host without the context factory with "Some services are not able to
        // be constructed" before EntityFrameworkCoreStoreValidator could name the call to add (R43).
        builder.Services.TryAddSingleton(static sp => new EntityFrameworkCoreApiTokenStore<TContext>(
            sp.GetService<IDbContextFactory<TContext>>() ?? throw new InvalidOperationException(EntityFrameworkCoreStoreValidator<TContext>.NoFactory),
            sp.GetRequiredService<IOptions<EntityFrameworkCoreStoreOptions>>()));
        return builder.AddStore<EntityFrameworkCoreApiTokenStore<TContext>>(ServiceLifetime.Singleton);
    }
}
