using ApiTokens.Management;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>
/// Finds the member on whose behalf a management request acts. Replace it in DI to map your own
/// sign-in (cookie, OIDC, …) to an account and a user; the default is <see cref="ClaimsApiTokenActorResolver"/>.
/// </summary>
public interface IApiTokenActorResolver
{
    /// <summary>Resolves the actor of a request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The actor, or <see langword="null"/> when nobody is signed in (the API answers 401).</returns>
    ValueTask<ApiTokenActor?> ResolveAsync(HttpContext context);
}
