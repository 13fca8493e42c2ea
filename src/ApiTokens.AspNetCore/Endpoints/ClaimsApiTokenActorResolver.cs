using System.Security.Claims;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>
/// The default <see cref="IApiTokenActorResolver"/>: the signed-in user's
/// <see cref="ClaimTypes.NameIdentifier"/> (else its name) is the user, and its
/// <see cref="AccountIdClaimType"/> claim is the account.
/// </summary>
public sealed class ClaimsApiTokenActorResolver : IApiTokenActorResolver
{
    /// <summary>The claim that names the account the user acts in: <c>account_id</c>.</summary>
    public const string AccountIdClaimType = "account_id";

    /// <inheritdoc />
    public ValueTask<ApiTokenActor?> ResolveAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true || user.Identities.Any(i => i is ApiTokenIdentity))
        {
            // Tokens do not manage tokens: management needs a signed-in person.
            return new((ApiTokenActor?)null);
        }

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name;
        var accountId = user.FindFirstValue(AccountIdClaimType);
        return new(string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(accountId) ? null : new ApiTokenActor(accountId, userId));
    }
}
