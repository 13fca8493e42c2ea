
namespace ApiTokens.Validation;

// An active token found by its secret, with its effective privilege at lookup time (R15), until when
// that secret authenticates (the token's expiry, R21, or the end of a previous secret's grace, R23),
// and whether the secret was the previous one. The cache builds its entry from one and keeps only what
// judging needs (CachedApiToken); IApiTokenChangeListener tells it when one is stale.
// EndsPreviousSecret: the current secret of a self-rotating token whose previous secret still works
// (R39): its first successful use here ends the previous one.
internal sealed record ApiTokenLookup(ApiToken Token, TokenPrivilege EffectivePrivilege, DateTimeOffset? ValidUntil = null, bool PreviousSecret = false, bool EndsPreviousSecret = false);
