
namespace ApiTokens.Management;

/// <summary>The member on whose behalf a management operation runs.</summary>
/// <param name="AccountId">The account the member acts in.</param>
/// <param name="UserId">The member.</param>
public sealed record ApiTokenActor(string AccountId, string UserId);
