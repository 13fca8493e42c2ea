using ApiTokens.Auditing;
using ApiTokens.Management;
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
    /// <param name="changedBy">Who changed the role, for the audit records of the tokens it caps (R24); <see langword="null"/> records <c>system</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when caches have been told.</returns>
    public async Task MemberRoleChangedAsync(string accountId, string userId, string? changedBy = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var role = await _membership.GetRoleAsync(accountId, userId, cancellationToken).ConfigureAwait(false);
        await foreach (var token in ListOwnedAsync(accountId, userId, cancellationToken).ConfigureAwait(false))
        {
            NotifyChanged(token.Id);
            if (role is { } capped && IsOwnedActiveUserToken(token, userId) && capped < token.Privilege)
            {
                // R24: the token did not change, its effective privilege did.
                var audit = await WithEventAsync(Audit(token, changedBy ?? "system", ApiTokenAuditActions.CappedByRoleChange, new ApiTokenAuditChange("effectivePrivilege", Wire(token.Privilege), Wire(capped))), token, cancellationToken).ConfigureAwait(false);
                try
                {
                    await _store.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiTokenStoreException ex)
                {
                    Log.AuditAppendFailed(_logger, ex, audit.Action, token.Id);
                    continue;
                }

                await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Retires every active user token a removed member owns (R15). Tokens promoted before the
    /// removal are account tokens and keep working. Call it after the host removed the member.
    /// A token that cannot be retired (the store fails, or changes keep racing) does not stop the
    /// others: it is reported in <see cref="MemberRemovalResult.FailedTokenIds"/>, and it still
    /// fails authentication because its owner is gone.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="userId">The removed member.</param>
    /// <param name="removedBy">Who removed the member (recorded as <see cref="ApiToken.RetiredBy"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Which tokens were retired and which could not be.</returns>
    /// <exception cref="ApiTokenStoreException">The member's tokens could not be listed (nothing was changed).</exception>
    public async Task<MemberRemovalResult> MemberRemovedAsync(string accountId, string userId, string removedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(removedBy);

        var retired = new List<string>();
        var failed = new List<string>();
        await foreach (var listed in ListOwnedAsync(accountId, userId, cancellationToken).ConfigureAwait(false))
        {
            if (!IsOwnedActiveUserToken(listed, userId))
            {
                continue;
            }

            if (await TryRetireAsync(listed, userId, removedBy, cancellationToken).ConfigureAwait(false))
            {
                retired.Add(listed.Id);
            }
            else
            {
                failed.Add(listed.Id);
            }

            NotifyChanged(listed.Id);
        }

        return new MemberRemovalResult(retired, failed);
    }

    // Every user token a member owns, retired ones included, read from the store a page at a time.
    private async IAsyncEnumerable<ApiToken> ListOwnedAsync(string accountId, string userId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ApiTokenListPosition? after = null;
        while (true)
        {
            var page = await _store.ListAsync(accountId, userId, after, ApiTokenPaging.MaxLimit, cancellationToken).ConfigureAwait(false);
            foreach (var token in page)
            {
                yield return token;
            }

            if (page.Count < ApiTokenPaging.MaxLimit)
            {
                yield break;
            }

            after = ApiTokenListPosition.Of(page[^1]);
        }
    }

    private static bool IsOwnedActiveUserToken(ApiToken? token, string userId)
        => token is { IsRetired: false, Type: TokenType.User } && token.OwnerId == userId;

    // Retires one token of a removed member, re-reading when another change won the race (an app
    // was recorded, say): the retirement must not be lost. False when it could not be done.
    private async Task<bool> TryRetireAsync(ApiToken token, string userId, string removedBy, CancellationToken cancellationToken)
    {
        var current = token;
        for (var attempt = 1; attempt <= MaxRetireAttempts; attempt++)
        {
            try
            {
                var retired = current with { RetiredAt = _time.GetUtcNow(), RetiredBy = removedBy };
                var audit = await WithEventAsync(Audit(current, removedBy, ApiTokenAuditActions.RetiredByMemberRemoval, new ApiTokenAuditChange("retired", "false", "true")), retired with { Version = retired.Version + 1 }, cancellationToken).ConfigureAwait(false);
                var saved = await _store.UpdateAsync(retired, audit, cancellationToken).ConfigureAwait(false);
                Log.TokenRetired(_logger, saved.Id, removedBy);
                await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ApiTokenConcurrencyException)
            {
                var reread = await TryFindAsync(token.Id, cancellationToken).ConfigureAwait(false);
                if (reread is null)
                {
                    return false;
                }

                if (!IsOwnedActiveUserToken(reread, userId))
                {
                    // Retired or promoted meanwhile: nothing left to retire.
                    return true;
                }

                current = reread;
            }
            catch (ApiTokenStoreException ex)
            {
                Log.MemberTokenNotRetired(_logger, ex, token.Id);
                return false;
            }
        }

        return false;
    }

    private async Task<ApiToken?> TryFindAsync(string tokenId, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiTokenStoreException ex)
        {
            Log.MemberTokenNotRetired(_logger, ex, tokenId);
            return null;
        }
    }
}
