using ApiTokens.Validation;

namespace ApiTokens;

/// <summary>
/// Learns that a token changed, so caches can drop what they hold for it (R18). Register
/// implementations as singletons; <see cref="ApiTokenManager"/> and <see cref="ApiTokenValidator"/>
/// call every registered listener after each change and before the operation returns.
/// </summary>
public interface IApiTokenChangeListener
{
    /// <summary>Called after a token changed (or its owner's role did). Must be fast and must not throw.</summary>
    /// <param name="tokenId">The id of the token.</param>
    void OnTokenChanged(string tokenId);
}
