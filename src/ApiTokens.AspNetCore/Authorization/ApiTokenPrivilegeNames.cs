
namespace ApiTokens.AspNetCore.Authorization;

internal static class ApiTokenPrivilegeNames
{
    public static string Display(TokenPrivilege privilege) => privilege switch
    {
        TokenPrivilege.Admin => "Admin",
        TokenPrivilege.Normal => "Normal",
        _ => "Read Only",
    };
}
