namespace ApiTokens.Membership;

/// <summary>
/// The host application's membership data, read by the SDK: the role of a user in an account.
/// Hosts implement it over their own user store; <see cref="InMemoryAccountMembership"/> serves
/// samples and tests.
/// </summary>
/// <remarks>
/// When a member's role changes or a member is removed, tell the SDK through
/// <see cref="ApiTokenManager.MemberRoleChangedAsync"/> or
/// <see cref="ApiTokenManager.MemberRemovedAsync"/> so cached tokens follow at once (R15, R18).
/// </remarks>
public interface IAccountMembership
{
    /// <summary>Gets the role of a user in an account.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The role, or <see langword="null"/> when the user is not a member of the account.</returns>
    ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken);
}
