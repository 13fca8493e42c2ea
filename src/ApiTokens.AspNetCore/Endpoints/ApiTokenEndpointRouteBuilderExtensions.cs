using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static ApiTokens.Management.ApiTokenErrorCodes;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the token management API (docs/management-api.md).</summary>
public static class ApiTokenEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET/POST {prefix}</c>, <c>POST {prefix}/import</c>, <c>POST {prefix}/revoke</c> (no sign-in, R32), <c>GET/PATCH {prefix}/{id}</c>, <c>PUT {prefix}/{id}/apps/{appName}</c>,
    /// <c>POST {prefix}/{id}/retire</c> and <c>POST {prefix}/{id}/promote</c>. The actor is the request's
    /// signed-in user (the host's own scheme), resolved by <see cref="IApiTokenActorResolver"/>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix, for example <c>/api/tokens</c>.</param>
    /// <remarks>
    /// Request bodies are JSON (<see cref="CreateApiTokenBody"/>, <see cref="UpdateApiTokenBody"/>,
    /// <see cref="SetAppStateBody"/>, …). They are read by the endpoints themselves rather than declared
    /// with <c>Accepts</c>, so a body of the wrong content type is a 400 <c>InvalidRequest</c>
    /// problem like any other malformed body, not a bare 415 from routing. With
    /// <c>Microsoft.AspNetCore.OpenApi</c> each endpoint still describes its body, query, <c>If-Match</c>
    /// and every problem response with its codes (docs/openapi.md).
    /// </remarks>
    /// <returns>The group, for further conventions (CORS, rate limiting, antiforgery, …).</returns>
    /// <remarks>State-changing requests that a browser sends from another origin are refused (R30), see <see cref="DisallowCrossOriginBrowserRequests{TBuilder}"/>.</remarks>
    public static RouteGroupBuilder MapApiTokens(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ApiTokens.AspNetCore.ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoints.ServiceProvider, nameof(MapApiTokens));
        ApiTokens.AspNetCore.ApiTokenStartupChecks.WarnIfNoSignInScheme(endpoints.ServiceProvider);

        var group = endpoints.MapGroup(prefix)
            .WithTags("API tokens")
            .AddEndpointFilter(ApiTokenEndpoints.StoreFailureFilter)
            .DisallowCrossOriginBrowserRequests();

        // What each endpoint reads and answers, declared once (ManagementOperation): its own errors by
        // code, their statuses from the codes' kinds; what every endpoint of its shape answers is
        // added from the shape. It only describes: it takes no part in binding (R29).
        new ManagementOperation { Paged = true }.ApplyTo(
            group.MapGet("/", ApiTokenEndpoints.ListAsync)
                .WithName("ApiTokens_List").WithSummary("Lists the tokens the signed-in member may see, retired ones included.")
                .Produces<ApiTokenResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            Body = typeof(CreateApiTokenBody), Secret = true, Token = true, Created = true,
            Errors = Codes(InvalidExpiry, LifetimeExceedsMaximum, InvalidNetwork, InvalidRateLimit, ReadOnlyCannotCreate, AccountTokenRequiresAdmin, PrivilegeExceedsRole, TooManyTokens, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPost("/", ApiTokenEndpoints.CreateAsync)
                .WithName("ApiTokens_Create").WithSummary("Creates a user or account token; the response is the only time the secret is shown.")
                .Produces<ApiTokenResponse>(StatusCodes.Status201Created, "application/json"));

        new ManagementOperation
        {
            Body = typeof(ImportApiTokenBody), Token = true, Created = true,
            Errors = Codes(InvalidSecret, InvalidOwner, InvalidExpiry, LifetimeExceedsMaximum, InvalidNetwork, InvalidRateLimit, ImportRequiresAdmin, PrivilegeExceedsRole, SecretAlreadyExists, TooManyTokens, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPost("/import", ApiTokenEndpoints.ImportAsync)
                .WithName("ApiTokens_Import").WithSummary("Imports an existing secret, plain or as its SHA-256, as a token (admins only); the secret is never shown back.")
                .Produces<ApiTokenResponse>(StatusCodes.Status201Created, "application/json"));

        new ManagementOperation { Body = typeof(RevokeApiTokensBody), SignIn = false, Throttled = true }.ApplyTo(
            group.MapPost("/revoke", ApiTokenEndpoints.RevokeAsync)
                .WithName("ApiTokens_Revoke").WithSummary("Anyone who finds secrets retires their tokens; always the same 202, and counted as a failure for throttling.")
                .AllowAnonymous()
                .Produces<RevokeApiTokensResponse>(StatusCodes.Status202Accepted, "application/json"));

        new ManagementOperation { Token = true, Errors = Codes(TokenNotFound) }.ApplyTo(
            group.MapGet("/{id}", ApiTokenEndpoints.GetAsync)
                .WithName("ApiTokens_Get").WithSummary("Reads one token.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            Body = typeof(UpdateApiTokenBody), IfMatch = true, Token = true,
            Errors = Codes(InvalidNetwork, InvalidRateLimit, NotTokenManager, PrivilegeExceedsRole, TokenNotFound, TokenRetired, TokenExpired, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPatch("/{id}", ApiTokenEndpoints.UpdateAsync)
                .WithName("ApiTokens_Update").WithSummary("Changes privilege, default app state, description, allowed networks or rate limit.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            Body = typeof(SetAppStateBody), IfMatch = true, Token = true,
            Errors = Codes(InvalidAppName, NotTokenManager, TokenNotFound, TokenRetired, TokenExpired, TooManyApps, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPut("/{id}/apps/{**appName}", ApiTokenEndpoints.SetAppStateAsync)
                .WithName("ApiTokens_SetAppState").WithSummary("Allows or denies an app under a token, recorded or not yet seen.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { IfMatch = true, Token = true, Errors = Codes(NotTokenManager, TokenNotFound, TokenRetired, ConcurrencyConflict) }.ApplyTo(
            group.MapPost("/{id}/retire", ApiTokenEndpoints.RetireAsync)
                .WithName("ApiTokens_Retire").WithSummary("Retires a token permanently.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Paged = true, Errors = Codes(AccountEventsRequireAdmin, AuditNotSupported) }.ApplyTo(
            group.MapGet("/events", ApiTokenEndpoints.ListAccountEventsAsync)
                .WithName("ApiTokens_ListAccountEvents").WithSummary("The account's audit trail, newest first (admins only).")
                .Produces<ApiTokenEventResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Paged = true, Errors = Codes(TokenNotFound, AuditNotSupported) }.ApplyTo(
            group.MapGet("/{id}/events", ApiTokenEndpoints.ListTokenEventsAsync)
                .WithName("ApiTokens_ListEvents").WithSummary("A token's audit trail, newest first.")
                .Produces<ApiTokenEventResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Days = true, Errors = Codes(TokenNotFound, UsageNotSupported) }.ApplyTo(
            group.MapGet("/{id}/usage", ApiTokenEndpoints.GetUsageAsync)
                .WithName("ApiTokens_Usage").WithSummary("Requests per app and UTC day by outcome over the last ?days=1..90 days (30 by default).")
                .Produces<ApiTokenUsageResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            Body = typeof(RotateApiTokenBody), BodyOptional = true, IfMatch = true, Secret = true, Token = true,
            Errors = Codes(InvalidGracePeriod, InvalidExpiry, LifetimeExceedsMaximum, NotTokenManager, TokenNotFound, TokenRetired, TokenExpired, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPost("/{id}/rotate", ApiTokenEndpoints.RotateAsync)
                .WithName("ApiTokens_Rotate").WithSummary("Gives a token a new secret; the previous one works for a grace period.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            IfMatch = true, Token = true,
            Errors = Codes(PromoteRequiresAdmin, TokenNotFound, AlreadyAccountToken, TooManyTokens, TokenRetired, TokenExpired, ConcurrencyConflict),
        }.ApplyTo(
            group.MapPost("/{id}/promote", ApiTokenEndpoints.PromoteAsync)
                .WithName("ApiTokens_Promote").WithSummary("Promotes a user token to an account token (admins only; irreversible).")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));

        // R39: the presenting token itself, authenticated by the ApiTokens scheme (no sign-in; R30's
        // cross-site rule is for cookies and does not apply), outside the group and its filter.
        var self = endpoints.MapGroup(prefix).WithTags("API tokens").AddEndpointFilter(ApiTokenEndpoints.StoreFailureFilter);
        new ManagementOperation { SignIn = false, CrossOrigin = false, Token = true }.ApplyTo(
            self.MapGet("/self", ApiTokenEndpoints.GetSelfAsync)
                .RequireApiTokenPrivilege(ApiTokens.TokenPrivilege.ReadOnly)
                .WithName("ApiTokens_GetSelf").WithSummary("The presenting token itself (no secret), so automation can read its expiry.")
                .Produces<ApiTokenResponse>(StatusCodes.Status200OK, "application/json"));
        new ManagementOperation
        {
            Body = typeof(SelfRotateApiTokenBody), BodyOptional = true, SignIn = false, CrossOrigin = false, Secret = true, Token = true,
            Errors = Codes(InvalidExpiry, SelfRotateNotAllowed, ConcurrencyConflict),
        }.ApplyTo(
            self.MapPost("/self/rotate", ApiTokenEndpoints.SelfRotateAsync)
                .RequireApiTokenPrivilege(ApiTokens.TokenPrivilege.ReadOnly)
                .WithName("ApiTokens_SelfRotate").WithSummary("The presenting token rotates itself (selfRotate); its previous secret works until the new one is first used.")
                .Produces<ApiTokenResponse>(StatusCodes.Status201Created, "application/json"));

        return group;
    }

    private static EndpointError[] Codes(params string[] codes) => [.. codes.Select(EndpointError.Management)];

    /// <summary>
    /// Refuses state-changing requests (anything but GET, HEAD, OPTIONS, TRACE) that a browser sends
    /// from another origin — another site, subdomain, port or scheme — with 403
    /// <c>CrossOriginRequest</c> before the endpoint runs (R30). Browsers are recognised by
    /// <c>Sec-Fetch-Site</c> (only <c>same-origin</c> passes) or else <c>Origin</c> (must be this
    /// request's scheme and host); clients that send neither, such as scripts and API clients, are not
    /// affected. <see cref="MapApiTokens"/> applies it; use it on your own cookie-authenticated endpoints.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">An endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder DisallowCrossOriginBrowserRequests<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(CrossOriginRequests.FilterAsync);
    }
}
