using ApiTokens.AspNetCore;
using ApiTokens.AspNetCore.Gateways;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints gateways and services outside ASP.NET Core check tokens with (docs/gateways.md).</summary>
public static class ApiTokenGatewayEndpointRouteBuilderExtensions
{
    private static readonly string[] s_anyMethod = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    /// <summary>
    /// Maps <c>POST {pattern}</c>, token introspection (RFC 7662, R40): a client configured in
    /// <c>ApiTokens:Introspection:Clients</c> sends <c>token=&lt;secret&gt;</c> (and optionally
    /// <c>app=&lt;app name&gt;</c>) as a form with HTTP Basic credentials, and learns whether the token
    /// would authenticate that app's request here, judged by the same flow and cache as the scheme.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route, for example <c>/api/tokens/introspect</c>.</param>
    /// <returns>The endpoint's builder.</returns>
    public static IEndpointConventionBuilder MapApiTokenIntrospection(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoints.ServiceProvider, nameof(MapApiTokenIntrospection));
        return endpoints.MapPost(pattern, IntrospectionEndpoint.HandleAsync)
            .AllowAnonymous()
            .WithTags("Gateways")
            .WithName("ApiTokens_Introspect")
            .WithSummary("Token introspection (RFC 7662) for gateways and services outside ASP.NET Core.")
            .WithDescription("Form body token=<secret>, optionally app=<app name> and token_type_hint; HTTP Basic credentials of a configured client. "
                + "200 {\"active\": true, \"token_type\": \"api_token\", \"jti\", \"account\", \"sub\", \"client_id\", \"privilege\", \"scope\", \"iat\", \"exp\"} for a token that would authenticate the app's request, "
                + "exactly {\"active\": false} otherwise; 401 without valid client credentials; 503 when the token store is unavailable.")
            .WithMetadata(
                new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(void), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(void), ["application/problem+json"]));
    }

    /// <summary>
    /// Maps <c>{pattern}</c> for every method: forward authentication for nginx (<c>auth_request</c>),
    /// Traefik (<c>forwardAuth</c>) and Envoy (<c>ext_authz</c>) (R41). The proxy passes the client's
    /// headers; the original method and URI come from <c>X-Forwarded-Method</c>/<c>X-Forwarded-Uri</c>
    /// or <c>X-Original-Method</c>/<c>X-Original-URI</c>. Allowed: 200 with <c>X-ApiToken-Id</c>,
    /// <c>-Account</c>, <c>-Owner</c>, <c>-Privilege</c>, <c>-App</c> and <c>-Scopes</c> for the upstream;
    /// refused: the API's status and problem body. Settings: <c>ApiTokens:ForwardAuth</c>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route, for example <c>/api/tokens/authz</c>.</param>
    /// <returns>The endpoint's builder.</returns>
    public static IEndpointConventionBuilder MapApiTokenForwardAuth(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoints.ServiceProvider, nameof(MapApiTokenForwardAuth));
        return endpoints.MapMethods(pattern, s_anyMethod, ForwardAuthEndpoint.HandleAsync)
            .AllowAnonymous()
            .WithTags("Gateways")
            .WithName("ApiTokens_ForwardAuth")
            .WithSummary("Forward authentication for nginx, Traefik and Envoy: may the proxied request pass?")
            .WithDescription("Judges the client's credentials (the scheme's headers, Basic or Bearer) for the original method and URI "
                + "(X-Forwarded-Method/X-Forwarded-Uri or X-Original-Method/X-Original-URI) with ApiTokens:ForwardAuth:Rules. "
                + "200 with X-ApiToken-Id, X-ApiToken-Account, X-ApiToken-Owner, X-ApiToken-Privilege, X-ApiToken-App and X-ApiToken-Scopes when allowed; "
                + "otherwise the API's status and problem body (429 as ApiTokens:ForwardAuth:TooManyRequestsStatus).")
            .WithMetadata(
                new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), []),
                new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(void), ["application/problem+json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(void), ["application/problem+json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(void), ["application/problem+json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(void), ["application/problem+json"]));
    }
}
