using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ApiTokens.AspNetCore.Authorization;

/// <summary>
/// Requires an API token (the <c>ApiTokens</c> scheme) whose scopes include one of the named ones when
/// it is scoped (R42), with the R16 privilege of the request's method; for controllers and actions.
/// Several attributes must each be met.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireApiTokenScopeAttribute : AuthorizeAttribute, IAuthorizationRequirementData
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="scopes">The scopes the endpoint accepts, any one of which suffices.</param>
    public RequireApiTokenScopeAttribute(params string[] scopes)
    {
        Requirement = new ApiTokenScopeRequirement(scopes);
        AuthenticationSchemes = ApiTokenAuthenticationDefaults.AuthenticationScheme;
    }

    /// <summary>The scopes the endpoint accepts.</summary>
    public IReadOnlyList<string> Scopes => Requirement.Scopes;

    private ApiTokenScopeRequirement Requirement { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [ApiTokenPrivilegeRequirement.ByMethod, Requirement];
}
