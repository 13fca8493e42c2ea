using System.Security.Cryptography;
using ApiTokens.Auditing;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// What every store specification shares: the store under test and tokens to store in it. Derive from
/// <see cref="ApiTokenStoreSpecification"/> (the core every store implements) and from the class of
/// each capability your store adds (<see cref="ApiTokenBatchLookupStoreSpecification"/>,
/// <see cref="ApiTokenAuditStoreSpecification"/>, <see cref="ApiTokenUsageStoreSpecification"/>,
/// <see cref="ApiTokenOutboxStoreSpecification"/>, <see cref="ApiTokenWebhookStoreSpecification"/>,
/// <see cref="ApiTokenLifecycleStoreSpecification"/>), one <c>[TestClass]</c> each.
/// </summary>
/// <typeparam name="TStore">The contract under test.</typeparam>
/// <remarks>
/// Each test works in an account of its own, so a store may share one database across tests and
/// test classes. Test names say what they check (<c>Method_Scenario_Expected</c>) and carry the
/// rule they prove as a <c>[TestCategory]</c>.
/// </remarks>
public abstract class StoreSpecification<TStore>
    where TStore : IApiTokenStore
{
    /// <summary>A fixed instant the tests' times count from.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The MSTest context (set by the test runner).</summary>
    public TestContext TestContext { get; set; } = null!;

    /// <summary>How many writers race in the concurrency tests. Default: 64.</summary>
    protected virtual int ConcurrentWriters => 64;

    /// <summary>Returns the store under test: a new one, or one shared by the tests of the class.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>A new token in <paramref name="accountId"/> with a random id and secret hash.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="ownerId">The owner of a user token.</param>
    /// <param name="type">The token type.</param>
    /// <param name="minutes">Minutes after a fixed instant for <see cref="ApiToken.CreatedAt"/>.</param>
    /// <returns>The token (not stored yet).</returns>
    protected static ApiToken NewToken(string accountId, string? ownerId = "alice", TokenType type = TokenType.User, int minutes = 0) => new()
    {
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        Type = type,
        AccountId = accountId,
        OwnerId = type == TokenType.User ? ownerId : null,
        CreatedBy = ownerId ?? "alice",
        CreatedAt = T0.AddMinutes(minutes),
        Description = "ci deploys",
        Privilege = TokenPrivilege.Normal,
        DefaultAppState = AppState.Pending,
        SecretHash = RandomNumberGenerator.GetBytes(32),
        SecretHint = "apt_****abcd",
    };

    /// <summary>The token promoted to an account token (R14), as the manager changes it.</summary>
    /// <param name="token">A user token.</param>
    /// <returns>The changed token, at the version it was read at.</returns>
    protected static ApiToken Promote(ApiToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token with { Type = TokenType.Account, OwnerId = null, FormerOwnerId = token.OwnerId, PromotedAt = T0, PromotedBy = "alice" };
    }

    /// <summary>A new account id, so tests never see each other's tokens.</summary>
    /// <returns>The id.</returns>
    protected static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>An audit record of a change of <paramref name="token"/>, as the manager writes one.</summary>
    /// <param name="token">The token.</param>
    /// <param name="action">The action.</param>
    /// <param name="changes">The changes.</param>
    /// <returns>The record.</returns>
    protected static ApiTokenAuditRecord Audit(ApiToken token, string action, params ApiTokenAuditChange[] changes) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        At = T0,
        TokenId = token.Id,
        AccountId = token.AccountId,
        Actor = token.OwnerId ?? "alice",
        Action = action,
        Changes = changes,
    };
}
