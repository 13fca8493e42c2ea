using ApiTokens.Caching;
using ApiTokens.Validation;

namespace ApiTokens;

/// <summary>
/// Announces to the other nodes of a service that a token changed, so they drop what they cached
/// for it (R26). <see cref="ApiTokenManager"/> and <see cref="ApiTokenValidator"/> call every
/// registered notifier after each change is durable — management changes, first uses of apps,
/// role changes and removals the host reports. The receiving side hands what arrives to
/// <see cref="ApiTokenChangeFeed"/>. Register with <c>AddChangeNotifier&lt;T&gt;()</c>.
/// </summary>
/// <remarks>
/// Called on the request path: queue the id and send it in the background; never block, never
/// throw. A change whose announcement is lost is still bounded on other nodes by
/// <see cref="ApiTokenOptions.CacheLifetime"/>. Announce token ids only, never a secret or a hash.
/// </remarks>
public interface IApiTokenChangeNotifier
{
    /// <summary>Queues the announcement that a token changed.</summary>
    /// <param name="tokenId">The id of the token.</param>
    void Publish(string tokenId);
}
