namespace ApiTokens.AspNetCore.Authorization;

// Why authorization refused a request authenticated by an API token, for the scheme's 403 body: set
// on the request's features by the authorization handler, read by the handler's Forbidden. Typed, so
// nothing else can set or misread it (HttpContext.Items holds anything under any key).
internal sealed class ApiTokenForbiddenFeature(TokenPrivilege requiredPrivilege)
{
    // R16: the privilege the endpoint needs.
    public TokenPrivilege RequiredPrivilege { get; } = requiredPrivilege;
}
