
namespace ApiTokens.AspNetCore.Authorization;

internal static class ApiTokenPrivilegeNames
{
    public static string Display(TokenPrivilege privilege) => privilege switch
    {
        TokenPrivilege.Admin => "Admin",
        TokenPrivilege.Normal => "Normal",
        _ => "Read Only",
    };

    // The wire's names (introspection's and forward authentication's "privilege", the JSON's).
    public static string Wire(TokenPrivilege privilege) => privilege switch
    {
        TokenPrivilege.Admin => "admin",
        TokenPrivilege.Normal => "normal",
        _ => "readOnly",
    };
}
