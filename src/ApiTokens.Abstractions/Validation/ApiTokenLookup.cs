namespace ApiTokens;

/// <summary>
/// An active token found by its secret, with its effective privilege at lookup time (R15). Caches
/// keep these; <see cref="IApiTokenChangeListener"/> tells them when one is stale.
/// </summary>
/// <param name="Token">The token (active when looked up).</param>
/// <param name="EffectivePrivilege">The effective privilege when looked up.</param>
public sealed record ApiTokenLookup(ApiToken Token, TokenPrivilege EffectivePrivilege);
