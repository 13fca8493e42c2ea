using ApiTokens.Stores.InMemory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the in-memory token store.</summary>
public static class InMemoryApiTokensBuilderExtensions
{
    /// <summary>
    /// Stores tokens in process memory (a singleton <see cref="InMemoryApiTokenStore"/>, also resolvable as itself and as every store capability).
    /// Safe to call more than once; replaces any other store.
    /// </summary>
    /// <param name="builder">The ApiTokens builder.</param>
    /// <returns>The builder.</returns>
    public static ApiTokens.ApiTokensBuilder AddInMemoryStore(this ApiTokens.ApiTokensBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStore<InMemoryApiTokenStore>();
    }
}
