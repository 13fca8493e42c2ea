using ApiTokens.Management;
using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>Lists the tokens the actor may see (R5), retired ones included, newest first, a page at a time (R28).</summary>
    /// <param name="actor">Who asks.</param>
    /// <param name="cursor">
    /// <see langword="null"/> for the first page; otherwise the <see cref="ApiTokenPage{T}.NextCursor"/> of
    /// the previous page. Tokens created meanwhile are newer than every page read so far, so none is listed twice.
    /// </param>
    /// <param name="limit">The most tokens on the page: 1 to <see cref="ApiTokenPaging.MaxLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, or why not (an invalid cursor or limit is <see cref="ApiTokenErrorKind.Invalid"/>).</returns>
    public async Task<ApiTokenResult<ApiTokenPage<ApiTokenDetails>>> ListAsync(
        ApiTokenActor actor, string? cursor = null, int limit = ApiTokenPaging.DefaultLimit, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        if (limit is < 1 or > ApiTokenPaging.MaxLimit)
        {
            return ApiTokenErrors.InvalidLimit;
        }

        ApiTokenListPosition? after = null;
        if (cursor is not null)
        {
            if (!ListCursor.TryParse(cursor, out var parsed))
            {
                return ApiTokenErrors.InvalidCursor;
            }

            after = parsed;
        }

        var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return ApiTokenErrors.NotAMember;
        }

        // The store reads one page (keyset, newest first) and one token more, to know whether
        // another page follows.
        var ownerFilter = role == TokenPrivilege.Admin ? null : actor.UserId;
        var tokens = await _store.ListAsync(actor.AccountId, ownerFilter, after, limit + 1, cancellationToken).ConfigureAwait(false);
        var page = new List<ApiToken>(Math.Min(limit, tokens.Count));
        var owners = new HashSet<string>(StringComparer.Ordinal);
        var count = Math.Min(limit, tokens.Count);
        var next = tokens.Count > limit ? ListCursor.After(tokens[limit - 1]) : null;
        for (var i = 0; i < count; i++)
        {
            // The store filters; the policy still has the last word.
            var token = tokens[i];
            if (!TokenAccessPolicy.CanSee(actor, role.Value, token))
            {
                continue;
            }

            page.Add(token);
            if (NeedsOwnerRole(token))
            {
                owners.Add(token.OwnerId!);
            }
        }

        // One membership question for every owner on the page, not one per token.
        var roles = owners.Count == 0
            ? null
            : await _membership.GetRolesAsync(actor.AccountId, owners, cancellationToken).ConfigureAwait(false);
        var result = new List<ApiTokenDetails>(page.Count);
        var now = _time.GetUtcNow();
        foreach (var token in page)
        {
            TokenPrivilege? ownerRole = NeedsOwnerRole(token) && roles!.TryGetValue(token.OwnerId!, out var r) ? r : null;
            result.Add(Details(token, ownerRole, now));
        }

        return ApiTokenResult<ApiTokenPage<ApiTokenDetails>>.Success(new ApiTokenPage<ApiTokenDetails>(result, next));
    }

    /// <summary>Reads one token; a token the actor may not see is "not found" (R5).</summary>
    /// <param name="actor">Who asks.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> GetAsync(ApiTokenActor actor, string tokenId, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        var (token, _, error) = await LoadVisibleAsync(actor, tokenId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(token!, cancellationToken).ConfigureAwait(false));
    }
}
