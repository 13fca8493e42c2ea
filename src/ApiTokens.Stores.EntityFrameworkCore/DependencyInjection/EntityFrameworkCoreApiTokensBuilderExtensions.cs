using ApiTokens;
using ApiTokens.Stores;
using ApiTokens.Stores.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

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
    /// <typeparam name="TContext">The context.</typeparam>
    /// <param name="builder">The ApiTokens builder.</param>
    /// <returns>The builder.</returns>
    public static ApiTokensBuilder AddEntityFrameworkCoreStore<TContext>(this ApiTokensBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStore<EntityFrameworkCoreApiTokenStore<TContext>>(ServiceLifetime.Singleton);
    }
}
