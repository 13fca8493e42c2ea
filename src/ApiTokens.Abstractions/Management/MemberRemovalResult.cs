
namespace ApiTokens.Management;

/// <summary>What <see cref="ApiTokenManager.MemberRemovedAsync"/> did with a removed member's user tokens.</summary>
public sealed class MemberRemovalResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="retiredTokenIds">The tokens retired now.</param>
    /// <param name="failedTokenIds">The active tokens that could not be retired (the store failed, or changes kept racing).</param>
    public MemberRemovalResult(IReadOnlyList<string> retiredTokenIds, IReadOnlyList<string> failedTokenIds)
    {
        ArgumentNullException.ThrowIfNull(retiredTokenIds);
        ArgumentNullException.ThrowIfNull(failedTokenIds);
        RetiredTokenIds = retiredTokenIds;
        FailedTokenIds = failedTokenIds;
    }

    /// <summary>The tokens retired now.</summary>
    public IReadOnlyList<string> RetiredTokenIds { get; }

    /// <summary>
    /// The active tokens that could not be retired. They still fail authentication, because their
    /// owner is no longer a member (R15), but they are not marked retired: call
    /// <see cref="ApiTokenManager.MemberRemovedAsync"/> again.
    /// </summary>
    public IReadOnlyList<string> FailedTokenIds { get; }

    /// <summary>Whether every active user token of the member is retired.</summary>
    public bool Completed => FailedTokenIds.Count == 0;
}
