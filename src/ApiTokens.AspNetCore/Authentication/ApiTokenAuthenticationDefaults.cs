
namespace ApiTokens.AspNetCore.Authentication;

/// <summary>Default values of the ApiTokens authentication scheme.</summary>
public static class ApiTokenAuthenticationDefaults
{
    /// <summary>The default scheme name: <c>ApiTokens</c>.</summary>
    public const string AuthenticationScheme = "ApiTokens";

    /// <summary>The display name of the scheme.</summary>
    public const string DisplayName = "API tokens";

    /// <summary>The name of the authorization policy that applies R16 (ReadOnly for safe methods, Normal otherwise).</summary>
    public const string PolicyName = "ApiTokens";

    /// <summary>The default header that carries the secret: <c>X-Circonus-Auth-Token</c>.</summary>
    public const string TokenHeaderName = "X-Circonus-Auth-Token";

    /// <summary>The default header that carries the application name: <c>X-Circonus-App-Name</c>.</summary>
    public const string AppNameHeaderName = "X-Circonus-App-Name";

    /// <summary>The header of a 403 <c>Forbidden.Scope</c> that names the scopes the endpoint accepts (R42).</summary>
    public const string AcceptedScopesHeaderName = "X-Accepted-ApiToken-Scopes";
}
