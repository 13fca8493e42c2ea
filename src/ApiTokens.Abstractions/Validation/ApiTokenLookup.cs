
namespace ApiTokens.Validation;

// An active token found by its secret, with its effective privilege at lookup time (R15), until when
// that secret authenticates (the token's expiry, R21, or the end of a previous secret's grace, R23),
// and whether the secret was the previous one. The cache builds its entry from one and keeps only what
// judging needs (CachedApiToken); IApiTokenChangeListener tells it when one is stale.
internal sealed record ApiTokenLookup(ApiToken Token, TokenPrivilege EffectivePrivilege, DateTimeOffset? ValidUntil = null, bool PreviousSecret = false);
