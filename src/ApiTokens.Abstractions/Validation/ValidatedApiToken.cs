
namespace ApiTokens.Validation;

/// <summary>What an authenticated request knows about its token: enough to build a principal.</summary>
public sealed class ValidatedApiToken
{
    /// <summary>Creates the value.</summary>
    /// <param name="token">The token.</param>
    /// <param name="effectivePrivilege">The effective privilege (R15).</param>
    /// <param name="appName">The application name the request presented.</param>
    public ValidatedApiToken(ApiToken token, TokenPrivilege effectivePrivilege, string appName)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(appName);
        TokenId = token.Id;
        Type = token.Type;
        AccountId = token.AccountId;
        OwnerId = token.OwnerId;
        EffectivePrivilege = effectivePrivilege;
        AppName = appName;
    }

    internal ValidatedApiToken(string tokenId, TokenType type, string accountId, string? ownerId, TokenPrivilege effectivePrivilege, string appName)
    {
        TokenId = tokenId;
        Type = type;
        AccountId = accountId;
        OwnerId = ownerId;
        EffectivePrivilege = effectivePrivilege;
        AppName = appName;
    }

    /// <summary>The token id.</summary>
    public string TokenId { get; }

    /// <summary>User or account token.</summary>
    public TokenType Type { get; }

    /// <summary>The account.</summary>
    public string AccountId { get; }

    /// <summary>The owner of a user token.</summary>
    public string? OwnerId { get; }

    /// <summary>What the request may do (R15, R16).</summary>
    public TokenPrivilege EffectivePrivilege { get; }

    /// <summary>The application name.</summary>
    public string AppName { get; }
}
