
namespace ApiTokens.Management;

// The rules of who sees and manages what, in one place (R2–R6, R14, R15).
internal static class TokenAccessPolicy
{
    // R5: admins see every token of their account; anyone else sees only the user tokens it owns.
    public static bool CanSee(ApiTokenActor actor, TokenPrivilege role, ApiToken token)
    {
        if (!string.Equals(token.AccountId, actor.AccountId, StringComparison.Ordinal))
        {
            return false;
        }

        return role == TokenPrivilege.Admin
            || (token.Type == TokenType.User && string.Equals(token.OwnerId, actor.UserId, StringComparison.Ordinal));
    }

    // R6: a visible token may be changed by its owner or an admin; account tokens by an admin only.
    public static bool CanManage(ApiTokenActor actor, TokenPrivilege role, ApiToken token)
        => role == TokenPrivilege.Admin
            || (token.Type == TokenType.User && string.Equals(token.OwnerId, actor.UserId, StringComparison.Ordinal));

    // R2, R3: who may create which type.
    public static ApiTokenError? CheckCreate(TokenPrivilege role, TokenType type)
    {
        if (type == TokenType.Account)
        {
            return role == TokenPrivilege.Admin ? null : ApiTokenErrors.AccountTokenRequiresAdmin;
        }

        return role == TokenPrivilege.ReadOnly ? ApiTokenErrors.ReadOnlyCannotCreate : null;
    }

    // R4: never above the actor's role.
    public static bool CanGrant(TokenPrivilege role, TokenPrivilege privilege) => privilege <= role;

    // R15: a user token is capped by its owner's current role; account tokens by nothing.
    public static TokenPrivilege? Effective(ApiToken token, TokenPrivilege? ownerRole)
    {
        if (token.IsRetired)
        {
            return null;
        }

        if (token.Type == TokenType.Account)
        {
            return token.Privilege;
        }

        if (ownerRole is not { } role)
        {
            return null;
        }

        return role < token.Privilege ? role : token.Privilege;
    }
}
