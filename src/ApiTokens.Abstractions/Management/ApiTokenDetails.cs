
namespace ApiTokens.Management;

/// <summary>A token as a management caller sees it: the token and its effective privilege now (R15).</summary>
/// <param name="Token">The token.</param>
/// <param name="EffectivePrivilege">
/// What a request with the token may do now: for a user token the lower of its privilege and its
/// owner's current role; <see langword="null"/> when the token cannot authenticate (retired, or its
/// owner left the account, or it expired).
/// </param>
/// <param name="Expired">Whether the token had expired when it was read (R21).</param>
public sealed record ApiTokenDetails(ApiToken Token, TokenPrivilege? EffectivePrivilege, bool Expired = false);
