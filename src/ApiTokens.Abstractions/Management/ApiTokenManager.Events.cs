using System.Globalization;
using ApiTokens.Auditing;
using ApiTokens.Management;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>
    /// Reads the audit trail (R24), newest first, a page at a time: of one token, with the token's
    /// visibility (R5: another member's user token is "not found"), or of the whole account when
    /// <paramref name="tokenId"/> is <see langword="null"/> (admins only).
    /// </summary>
    /// <param name="actor">Who reads.</param>
    /// <param name="tokenId">The token, or <see langword="null"/> for the account's records.</param>
    /// <param name="cursor">Where the page starts: <see cref="ApiTokenPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the newest.</param>
    /// <param name="limit">The most records in the page: 1 to <see cref="ApiTokenPaging.MaxLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, or why it cannot be read (<see cref="ApiTokenErrorCodes.AuditNotSupported"/> when the store does not read the trail back, <see cref="SupportsAuditTrail"/>).</returns>
    public async Task<ApiTokenResult<ApiTokenPage<ApiTokenAuditRecord>>> ListEventsAsync(
        ApiTokenActor actor, string? tokenId, string? cursor = null, int limit = ApiTokenPaging.DefaultLimit, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        if (_auditStore is null)
        {
            return ApiTokenErrors.AuditNotSupported;
        }

        if (limit is < 1 or > ApiTokenPaging.MaxLimit)
        {
            return ApiTokenErrors.InvalidLimit;
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
            {
                return ApiTokenErrors.InvalidCursor;
            }

            before = sequence;
        }

        if (tokenId is null)
        {
            var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
            if (role is null)
            {
                return ApiTokenErrors.NotAMember;
            }

            if (role != TokenPrivilege.Admin)
            {
                return ApiTokenErrors.AccountEventsRequireAdmin;
            }
        }
        else if ((await LoadVisibleAsync(actor, tokenId, cancellationToken).ConfigureAwait(false)).Error is { } error)
        {
            return error;
        }

        var page = await _auditStore.ListAuditAsync(actor.AccountId, tokenId, before, limit, cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenPage<ApiTokenAuditRecord>>.Success(
            new ApiTokenPage<ApiTokenAuditRecord>(page.Records, page.NextBefore?.ToString(CultureInfo.InvariantCulture)));
    }
}
