using System.Collections.Concurrent;

namespace ApiTokens.Membership;

/// <summary>A thread-safe, in-process <see cref="IAccountMembership"/> for samples, tests and single-node apps.</summary>
public sealed class InMemoryAccountMembership : IAccountMembership
{
    private readonly ConcurrentDictionary<(string AccountId, string UserId), TokenPrivilege> _roles = new();

    /// <summary>Adds a member or changes its role.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The user.</param>
    /// <param name="role">The role.</param>
    public void SetRole(string accountId, string userId, TokenPrivilege role)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role));
        }

        _roles[(accountId, userId)] = role;
    }

    /// <summary>Removes a member.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The user.</param>
    /// <returns><see langword="true"/> when the user was a member.</returns>
    public bool Remove(string accountId, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return _roles.TryRemove((accountId, userId), out _);
    }

    /// <summary>Lists the members of an account and their roles, ordered by user id.</summary>
    /// <param name="accountId">The account.</param>
    /// <returns>The members.</returns>
    public IReadOnlyList<KeyValuePair<string, TokenPrivilege>> GetMembers(string accountId)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        var members = new List<KeyValuePair<string, TokenPrivilege>>();
        foreach (var entry in _roles)
        {
            if (entry.Key.AccountId == accountId)
            {
                members.Add(new(entry.Key.UserId, entry.Value));
            }
        }

        members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return members;
    }

    /// <summary>Lists the accounts a user is a member of, ordered by account id.</summary>
    /// <param name="userId">The user.</param>
    /// <returns>The account ids.</returns>
    public IReadOnlyList<string> GetAccounts(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var accounts = new List<string>();
        foreach (var entry in _roles)
        {
            if (entry.Key.UserId == userId)
            {
                accounts.Add(entry.Key.AccountId);
            }
        }

        accounts.Sort(StringComparer.Ordinal);
        return accounts;
    }

    /// <inheritdoc />
    public ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(userId);
        return new(_roles.TryGetValue((accountId, userId), out var role) ? role : null);
    }
}
