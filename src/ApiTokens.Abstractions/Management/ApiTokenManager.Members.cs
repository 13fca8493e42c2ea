using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    private const int MaxRetireAttempts = 5;

    /// <summary>
    /// Tells the SDK that a member's role changed, so the effective privilege of its user tokens
    /// follows on the very next request (R15, R18). Call it after the host changed the role.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The member whose role changed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when caches have been told.</returns>
    public async Task MemberRoleChangedAsync(string accountId, string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var tokens = await _store.ListAsync(accountId, userId, cancellationToken).ConfigureAwait(false);
        foreach (var token in tokens)
        {
            NotifyChanged(token.Id);
        }
    }

    /// <summary>
    /// Retires every active user token a removed member owns (R15). Tokens promoted before the
    /// removal are account tokens and keep working. Call it after the host removed the member.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The removed member.</param>
    /// <param name="removedBy">Who removed the member (recorded as <see cref="ApiToken.RetiredBy"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>How many tokens were retired.</returns>
    public async Task<int> MemberRemovedAsync(string accountId, string userId, string removedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(removedBy);

        var retired = 0;
        var tokens = await _store.ListAsync(accountId, userId, cancellationToken).ConfigureAwait(false);
        foreach (var listed in tokens)
        {
            var token = listed;
            for (var attempt = 1; ; attempt++)
            {
                if (token is null || token.IsRetired || token.Type != TokenType.User || token.OwnerId != userId)
                {
                    break;
                }

                try
                {
                    var saved = await _store.UpdateAsync(token with { RetiredAt = _time.GetUtcNow(), RetiredBy = removedBy }, cancellationToken).ConfigureAwait(false);
                    retired++;
                    Log.TokenRetired(_logger, saved.Id, removedBy);
                    break;
                }
                catch (ApiTokenConcurrencyException) when (attempt < MaxRetireAttempts)
                {
                    // Someone changed it meanwhile (an app was recorded, say): re-read and retire that.
                    token = await _store.FindByIdAsync(token.Id, cancellationToken).ConfigureAwait(false);
                }
            }

            NotifyChanged(listed.Id);
        }

        return retired;
    }
}
