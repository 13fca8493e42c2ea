using System.Security.Claims;
using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The identity of a request authenticated by an API token. One instance is built per cached
// (token, app) pair and shared by every request that presents them: claims are built once, not per
// request. Sharing is safe because the identity is frozen: adding or removing claims throws, so
// code that wants more claims adds an identity to the request's own ClaimsPrincipal (which is new
// per request) instead of changing this shared one.
internal sealed class ApiTokenIdentity : ClaimsIdentity
{
    private const string Issuer = "ApiTokens";

    public ApiTokenIdentity(ValidatedApiToken token, string authenticationType)
        : base(BuildClaims(token), authenticationType, ClaimTypes.Name, ClaimTypes.Role)
    {
        Token = token;
    }

    public ValidatedApiToken Token { get; }

    public override void AddClaim(Claim claim) => throw Frozen();

    public override void AddClaims(IEnumerable<Claim?> claims) => throw Frozen();

    public override void RemoveClaim(Claim? claim) => throw Frozen();

    public override bool TryRemoveClaim(Claim? claim) => throw Frozen();

    private static InvalidOperationException Frozen()
        => new("The API token identity is shared between requests and cannot be changed; add a new ClaimsIdentity to the principal instead.");

    private static List<Claim> BuildClaims(ValidatedApiToken token)
    {
        var privilege = token.EffectivePrivilege switch
        {
            TokenPrivilege.Admin => nameof(TokenPrivilege.Admin),
            TokenPrivilege.Normal => nameof(TokenPrivilege.Normal),
            _ => nameof(TokenPrivilege.ReadOnly),
        };
        var claims = new List<Claim>(8)
        {
            new(ClaimTypes.Name, token.OwnerId ?? "token:" + token.TokenId, ClaimValueTypes.String, Issuer),
            new(ApiTokenClaimTypes.TokenId, token.TokenId, ClaimValueTypes.String, Issuer),
            new(ApiTokenClaimTypes.TokenType, token.Type == TokenType.Account ? nameof(TokenType.Account) : nameof(TokenType.User), ClaimValueTypes.String, Issuer),
            new(ApiTokenClaimTypes.AccountId, token.AccountId, ClaimValueTypes.String, Issuer),
            new(ApiTokenClaimTypes.Privilege, privilege, ClaimValueTypes.String, Issuer),
            new(ApiTokenClaimTypes.AppName, token.AppName, ClaimValueTypes.String, Issuer),
        };
        if (token.OwnerId is not null)
        {
            claims.Add(new(ApiTokenClaimTypes.OwnerId, token.OwnerId, ClaimValueTypes.String, Issuer));
            claims.Add(new(ClaimTypes.NameIdentifier, token.OwnerId, ClaimValueTypes.String, Issuer));
        }

        return claims;
    }
}
