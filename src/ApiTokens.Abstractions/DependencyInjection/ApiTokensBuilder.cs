using System.Diagnostics.CodeAnalysis;
using ApiTokens.Membership;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApiTokens;

/// <summary>Configures ApiTokens services; returned by <c>services.AddApiTokens()</c>.</summary>
public sealed class ApiTokensBuilder
{
    /// <summary>Creates the builder.</summary>
    /// <param name="services">The service collection.</param>
    public ApiTokensBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Uses <typeparamref name="TStore"/> as the token store (replacing any other): registered as itself,
    /// as <see cref="IApiTokenStore"/> and as each capability it implements
    /// (<see cref="IApiTokenBatchLookupStore"/>, <see cref="IApiTokenAuditStore"/>,
    /// <see cref="IApiTokenUsageStore"/>, <see cref="IApiTokenOutboxStore"/>, <see cref="IApiTokenWebhookStore"/>,
    /// <see cref="IApiTokenLifecycleStore"/>), all resolving to one
    /// instance per lifetime. A capability the store lacks is not registered, and the feature it serves
    /// says so (<see cref="ApiTokenManager.SupportsUsage"/>, …). To build the store yourself, register
    /// <typeparamref name="TStore"/> first (<c>services.AddSingleton(sp =&gt; new MyStore(…))</c>): it is kept.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="lifetime">The store's lifetime.</param>
    /// <returns>The builder.</returns>
    public ApiTokensBuilder AddStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TStore : class, IApiTokenStore
    {
        Services.TryAdd(ServiceDescriptor.Describe(typeof(TStore), typeof(TStore), lifetime));
        return UseStore<TStore>(lifetime);
    }

    // The contract and each capability the store has, as the one registered instance.
    private ApiTokensBuilder UseStore<TStore>(ServiceLifetime lifetime)
        where TStore : class, IApiTokenStore
    {
        foreach (var contract in s_contracts)
        {
            Services.RemoveAll(contract);
            if (contract.IsAssignableFrom(typeof(TStore)))
            {
                Services.Add(ServiceDescriptor.Describe(contract, static sp => sp.GetRequiredService<TStore>(), lifetime));
            }
        }

        return this;
    }

    private static readonly Type[] s_contracts = [typeof(IApiTokenStore), typeof(IApiTokenBatchLookupStore), typeof(IApiTokenAuditStore), typeof(IApiTokenUsageStore), typeof(IApiTokenOutboxStore), typeof(IApiTokenWebhookStore), typeof(IApiTokenLifecycleStore)];

    /// <summary>Uses <typeparamref name="TMembership"/> as the source of member roles (replacing any other).</summary>
    /// <typeparam name="TMembership">The host's implementation.</typeparam>
    /// <param name="lifetime">Its lifetime.</param>
    /// <returns>The builder.</returns>
    public ApiTokensBuilder AddMembership<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TMembership>(ServiceLifetime lifetime = ServiceLifetime.Scoped)
        where TMembership : class, IAccountMembership
    {
        Services.Replace(ServiceDescriptor.Describe(typeof(IAccountMembership), typeof(TMembership), lifetime));
        return this;
    }

    /// <summary>
    /// Adds a notifier that announces changes to the service's other nodes (R26), such as
    /// <c>AddPostgreSqlNotifications()</c> of ApiTokens.Stores.EntityFrameworkCore.PostgreSql. From then
    /// on this node's cache is bounded by <see cref="ApiTokenOptions.DegradedCacheLifetime"/> whenever
    /// the notifier's channel is down (see <see cref="Caching.ApiTokenChangeFeed"/>).
    /// </summary>
    /// <typeparam name="TNotifier">The notifier, registered as a singleton.</typeparam>
    /// <returns>The builder.</returns>
    public ApiTokensBuilder AddChangeNotifier<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TNotifier>()
        where TNotifier : class, IApiTokenChangeNotifier
    {
        Services.TryAddSingleton<TNotifier>();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IApiTokenChangeNotifier, TNotifier>(static sp => sp.GetRequiredService<TNotifier>()));
        return this;
    }

    /// <summary>
    /// Adds a handler of the in-process events (R24): token created, changed, retired, promoted,
    /// rotated, app first seen (with its state), previous secret used. Any number may be added; each
    /// is a singleton called after the change is durable, and one that throws never fails the change.
    /// </summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <returns>The builder.</returns>
    public ApiTokensBuilder AddEventHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>()
        where THandler : class, Auditing.IApiTokenEventHandler
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Auditing.IApiTokenEventHandler, THandler>());
        return this;
    }

    /// <summary>
    /// Uses an <see cref="InMemoryAccountMembership"/> (a singleton, also resolvable as itself) and
    /// optionally seeds it.
    /// </summary>
    /// <param name="seed">Adds members, for example <c>m =&gt; m.SetRole("acme", "alice", TokenPrivilege.Admin)</c>.</param>
    /// <returns>The builder.</returns>
    public ApiTokensBuilder AddInMemoryMembership(Action<InMemoryAccountMembership>? seed = null)
    {
        Services.TryAddSingleton(_ =>
        {
            var membership = new InMemoryAccountMembership();
            seed?.Invoke(membership);
            return membership;
        });
        Services.Replace(ServiceDescriptor.Singleton<IAccountMembership>(sp => sp.GetRequiredService<InMemoryAccountMembership>()));
        return this;
    }
}
