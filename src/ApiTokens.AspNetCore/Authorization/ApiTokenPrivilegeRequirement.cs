using Microsoft.AspNetCore.Authorization;

namespace ApiTokens.AspNetCore.Authorization;

/// <summary>
/// Requires a request authenticated by an API token whose effective privilege is at least
/// <see cref="Privilege"/>; or, when <see cref="Privilege"/> is <see langword="null"/>, the R16 default:
/// <see cref="TokenPrivilege.ReadOnly"/> for GET, HEAD and OPTIONS and <see cref="TokenPrivilege.Normal"/> otherwise.
/// </summary>
public sealed class ApiTokenPrivilegeRequirement : IAuthorizationRequirement
{
    /// <summary>The R16 default requirement (by request method).</summary>
    public static readonly ApiTokenPrivilegeRequirement ByMethod = new(null);

    /// <summary>Creates the requirement.</summary>
    /// <param name="privilege">The least privilege, or <see langword="null"/> for the R16 default.</param>
    public ApiTokenPrivilegeRequirement(TokenPrivilege? privilege)
    {
        if (privilege is { } p && !Enum.IsDefined(p))
        {
            throw new ArgumentOutOfRangeException(nameof(privilege));
        }

        Privilege = privilege;
    }

    /// <summary>The least privilege, or <see langword="null"/> for the R16 default.</summary>
    public TokenPrivilege? Privilege { get; }

    /// <inheritdoc />
    public override string ToString() => $"ApiTokenPrivilegeRequirement: {(Privilege?.ToString() ?? "by method")}";
}
