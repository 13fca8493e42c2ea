namespace ApiTokens.AspNetCore.Authorization;

// Why authorization refused a request authenticated by an API token, for the scheme's 403 body: set
// on the request's features by the authorization handler, read by the handler's Forbidden. Typed, so
// nothing else can set or misread it (HttpContext.Items holds anything under any key).
internal sealed class ApiTokenForbiddenFeature
{
    // R16: the privilege the endpoint needs.
    public ApiTokenForbiddenFeature(TokenPrivilege requiredPrivilege) => RequiredPrivilege = requiredPrivilege;

    // R42: the scopes the endpoint accepts ("a, b"), or "" when it names none and scoped tokens need one.
    public ApiTokenForbiddenFeature(string acceptedScopes) => AcceptedScopes = acceptedScopes;

    public TokenPrivilege? RequiredPrivilege { get; }

    public string? AcceptedScopes { get; }
}
