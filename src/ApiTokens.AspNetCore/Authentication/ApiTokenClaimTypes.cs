
namespace ApiTokens.AspNetCore.Authentication;

/// <summary>
/// The claim types of a principal authenticated by an API token. <c>User.Identity.Name</c> is the
/// owner's user id for a user token and <c>token:&lt;id&gt;</c> for an account token.
/// </summary>
public static class ApiTokenClaimTypes
{
    /// <summary>The token id.</summary>
    public const string TokenId = "apitokens/token_id";

    /// <summary><c>User</c> or <c>Account</c>.</summary>
    public const string TokenType = "apitokens/token_type";

    /// <summary>The account id.</summary>
    public const string AccountId = "apitokens/account_id";

    /// <summary>The owner's user id (user tokens only). Also <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>.</summary>
    public const string OwnerId = "apitokens/owner_id";

    /// <summary>The effective privilege (R15): <c>ReadOnly</c>, <c>Normal</c> or <c>Admin</c>.</summary>
    public const string Privilege = "apitokens/privilege";

    /// <summary>The application name the request presented.</summary>
    public const string AppName = "apitokens/app_name";

    /// <summary>A scope the token is narrowed to (R42), one claim each; none when the token is not scoped.</summary>
    public const string Scope = "apitokens:scope";
}
