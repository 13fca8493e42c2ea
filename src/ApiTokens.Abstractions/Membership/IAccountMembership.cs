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

    /// <summary>
    /// Gets the roles of several users in one account at once, so listing many tokens asks once
    /// rather than once per owner. The default calls <see cref="GetRoleAsync"/> for each user;
    /// implement it when your membership data can answer for many users in one query.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userIds">The users (distinct).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The role of each user that is a member; users who are not members are absent.</returns>
    async ValueTask<IReadOnlyDictionary<string, TokenPrivilege>> GetRolesAsync(string accountId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var roles = new Dictionary<string, TokenPrivilege>(userIds.Count, StringComparer.Ordinal);
        foreach (var userId in userIds)
        {
            if (await GetRoleAsync(accountId, userId, cancellationToken).ConfigureAwait(false) is { } role)
            {
                roles[userId] = role;
            }
        }

        return roles;
    }
}
