using System.Collections.ObjectModel;
using System.Security.Claims;
using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The identity of a request authenticated by an API token. One instance is built per cached
// (token, app) pair and shared by every request that presents them: claims are built once, not per
// request. Sharing is safe because the identity is frozen: adding or removing claims throws, so
// code that wants more claims adds an identity to the request's own ClaimsPrincipal (which is new
// per request) instead of changing this shared one.
//
// The claims are built on their first read, not with the identity: ApiTokens' own authorization
// reads the validated token, never a claim, so an application that does not read claims never pays
// for them (about 750 of the 1,650 bytes a cached token cost; benchmarks/README.md, section 4). Every way
// ClaimsIdentity reads its claims goes through the overrides below, so a reader cannot tell.
internal sealed class ApiTokenIdentity : ClaimsIdentity
{
    private const string Issuer = "ApiTokens";

    private ReadOnlyCollection<Claim>? _claims;

    public ApiTokenIdentity(ValidatedApiToken token, string authenticationType)
        : base((IEnumerable<Claim>?)null, authenticationType, ClaimTypes.Name, ClaimTypes.Role)
    {
        Token = token;
    }

    public ValidatedApiToken Token { get; }

    // Whether the claims have been read (for tests and the memory figures).
    internal bool ClaimsBuilt => Volatile.Read(ref _claims) is not null;

    public override IEnumerable<Claim> Claims => GetClaims();

    public override string? Name => FindFirst(NameClaimType)?.Value;

    public override IEnumerable<Claim> FindAll(Predicate<Claim> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return Find(match);
    }

    public override IEnumerable<Claim> FindAll(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Find(c => string.Equals(c.Type, type, StringComparison.OrdinalIgnoreCase));
    }

    public override Claim? FindFirst(Predicate<Claim> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        foreach (var claim in GetClaims())
        {
            if (match(claim))
            {
                return claim;
            }
        }

        return null;
    }

    public override Claim? FindFirst(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var claim in GetClaims())
        {
            if (string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase))
            {
                return claim;
            }
        }

        return null;
    }

    public override bool HasClaim(Predicate<Claim> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        return FindFirst(match) is not null;
    }

    public override bool HasClaim(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var claim in GetClaims())
        {
            if (string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase) && string.Equals(claim.Value, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // A copy is an ordinary, changeable identity with the same claims (what Clone promises).
    public override ClaimsIdentity Clone()
        => new(GetClaims(), AuthenticationType, NameClaimType, RoleClaimType) { Label = Label };

    protected override void WriteTo(BinaryWriter writer, byte[]? userData) => Clone().WriteTo(writer);

    public override void AddClaim(Claim claim) => throw Frozen();

    public override void AddClaims(IEnumerable<Claim?> claims) => throw Frozen();

    public override void RemoveClaim(Claim? claim) => throw Frozen();

    public override bool TryRemoveClaim(Claim? claim) => throw Frozen();

    private static InvalidOperationException Frozen()
        => new("The API token identity is shared between requests and cannot be changed; add a new ClaimsIdentity to the principal instead.");

    // Racing first readers may each build the list; the first stored wins, so every reader sees the
    // same Claim instances.
    private ReadOnlyCollection<Claim> GetClaims()
        => Volatile.Read(ref _claims) ?? Interlocked.CompareExchange(ref _claims, BuildClaims(Token, this).AsReadOnly(), null) ?? _claims!;

    private List<Claim> Find(Predicate<Claim> match)
    {
        var found = new List<Claim>();
        foreach (var claim in GetClaims())
        {
            if (match(claim))
            {
                found.Add(claim);
            }
        }

        return found;
    }

    private static List<Claim> BuildClaims(ValidatedApiToken token, ClaimsIdentity subject)
    {
        var privilege = token.EffectivePrivilege switch
        {
            TokenPrivilege.Admin => nameof(TokenPrivilege.Admin),
            TokenPrivilege.Normal => nameof(TokenPrivilege.Normal),
            _ => nameof(TokenPrivilege.ReadOnly),
        };
        var claims = new List<Claim>(8)
        {
            new(ClaimTypes.Name, token.OwnerId ?? "token:" + token.TokenId, ClaimValueTypes.String, Issuer, Issuer, subject),
            new(ApiTokenClaimTypes.TokenId, token.TokenId, ClaimValueTypes.String, Issuer, Issuer, subject),
            new(ApiTokenClaimTypes.TokenType, token.Type == TokenType.Account ? nameof(TokenType.Account) : nameof(TokenType.User), ClaimValueTypes.String, Issuer, Issuer, subject),
            new(ApiTokenClaimTypes.AccountId, token.AccountId, ClaimValueTypes.String, Issuer, Issuer, subject),
            new(ApiTokenClaimTypes.Privilege, privilege, ClaimValueTypes.String, Issuer, Issuer, subject),
            new(ApiTokenClaimTypes.AppName, token.AppName, ClaimValueTypes.String, Issuer, Issuer, subject),
        };
        if (token.OwnerId is not null)
        {
            claims.Add(new(ApiTokenClaimTypes.OwnerId, token.OwnerId, ClaimValueTypes.String, Issuer, Issuer, subject));
            claims.Add(new(ClaimTypes.NameIdentifier, token.OwnerId, ClaimValueTypes.String, Issuer, Issuer, subject));
        }

        foreach (var scope in token.Scopes)
        {
            claims.Add(new(ApiTokenClaimTypes.Scope, scope, ClaimValueTypes.String, Issuer, Issuer, subject));
        }

        return claims;
    }
}
