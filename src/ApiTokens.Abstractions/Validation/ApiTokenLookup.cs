
namespace ApiTokens.Validation;

// An active token found by its secret, with its effective privilege at lookup time (R15). The cache
// keeps these; IApiTokenChangeListener tells it when one is stale.
internal sealed record ApiTokenLookup(ApiToken Token, TokenPrivilege EffectivePrivilege);
