using ApiTokens.Management;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>Lists the tokens the actor may see (R5), retired ones included, oldest first.</summary>
    /// <param name="actor">Who asks.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The tokens.</returns>
    public async Task<ApiTokenResult<IReadOnlyList<ApiTokenDetails>>> ListAsync(ApiTokenActor actor, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return ApiTokenErrors.NotAMember;
        }

        var ownerFilter = role == TokenPrivilege.Admin ? null : actor.UserId;
        var tokens = await _store.ListAsync(actor.AccountId, ownerFilter, cancellationToken).ConfigureAwait(false);
        var visible = new List<ApiToken>(tokens.Count);
        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            // The store filters; the policy still has the last word.
            if (TokenAccessPolicy.CanSee(actor, role.Value, token))
            {
                visible.Add(token);
                if (NeedsOwnerRole(token))
                {
                    owners.Add(token.OwnerId!);
                }
            }
        }

        // One membership question for every owner in the list, not one per token.
        var roles = owners.Count == 0
            ? null
            : await _membership.GetRolesAsync(actor.AccountId, owners, cancellationToken).ConfigureAwait(false);
        var result = new List<ApiTokenDetails>(visible.Count);
        foreach (var token in visible)
        {
            TokenPrivilege? ownerRole = NeedsOwnerRole(token) && roles!.TryGetValue(token.OwnerId!, out var r) ? r : null;
            result.Add(new ApiTokenDetails(token, TokenAccessPolicy.Effective(token, ownerRole)));
        }

        return ApiTokenResult<IReadOnlyList<ApiTokenDetails>>.Success(result);
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
