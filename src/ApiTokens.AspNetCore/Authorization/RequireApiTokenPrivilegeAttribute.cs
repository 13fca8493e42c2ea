using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace ApiTokens.AspNetCore.Authorization;

/// <summary>
/// Requires an API token with at least the given effective privilege (R16), for MVC controllers,
/// Razor pages and minimal APIs (<c>[RequireApiTokenPrivilege(TokenPrivilege.Admin)]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class RequireApiTokenPrivilegeAttribute : AuthorizeAttribute, IAuthorizationRequirementData
{
    /// <summary>Creates the attribute for the default scheme (<c>ApiTokens</c>).</summary>
    /// <param name="privilege">The least effective privilege.</param>
    public RequireApiTokenPrivilegeAttribute(TokenPrivilege privilege)
    {
        Privilege = privilege;
        AuthenticationSchemes = ApiTokenAuthenticationDefaults.AuthenticationScheme;
    }

    /// <summary>The least effective privilege.</summary>
    public TokenPrivilege Privilege { get; }

    /// <inheritdoc />
    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new ApiTokenPrivilegeRequirement(Privilege)];
}
