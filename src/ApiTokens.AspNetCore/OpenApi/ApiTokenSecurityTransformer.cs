using System.Globalization;
using System.Text.Json.Nodes;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ApiTokens.AspNetCore.OpenApi;

// options.AddApiTokens(): the scheme's ways to send a token as security schemes, and the requirement
// with its problem responses on the operations whose policy authenticates with the scheme — the
// policy as the authorization middleware would combine it (endpoint metadata, named policies, the
// default and fallback policies).
internal sealed class ApiTokenSecurityTransformer(string authenticationScheme) : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string PrivilegeExtension = "x-apitokens-privilege";
    public const string ScopesExtension = "x-apitokens-scopes";

    private readonly string _scheme = authenticationScheme;
    private readonly string _tokenHeader = authenticationScheme;
    private readonly string _appName = authenticationScheme + ".AppName";
    private readonly string _basic = authenticationScheme + ".Basic";
    private readonly string _bearer = authenticationScheme + ".Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ApiTokenStartupChecks.ThrowIfSchemeMissing(context.ApplicationServices, "options.AddApiTokens() on AddOpenApi");
        EnsureSchemes(document, Options(context.ApplicationServices), Declared(context.ApplicationServices));
        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any() || context.Document is not { } document)
        {
            return;
        }

        var policy = await CombinePolicyAsync(metadata, context.ApplicationServices).ConfigureAwait(false);
        if (policy is null || !policy.AuthenticationSchemes.Contains(_scheme, StringComparer.Ordinal))
        {
            return;
        }

        var options = Options(context.ApplicationServices);
        var declared = Declared(context.ApplicationServices);
        EnsureSchemes(document, options, declared);
        operation.Security ??= [];
        foreach (var alternative in Alternatives(options))
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var name in alternative)
            {
                requirement[new OpenApiSecuritySchemeReference(name, document)] = [];
            }

            operation.Security.Add(requirement);
        }

        var privilege = LeastPrivilege(policy, context.Description.HttpMethod);
        var wire = ApiTokenPrivilegeNames.Wire(privilege);
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions[PrivilegeExtension] = new JsonNodeExtension(JsonValue.Create(wire));
        // Written for the API's own users, who know privileges but not ApiTokens' rule numbers (this is R16).
        var requires = string.Create(CultureInfo.InvariantCulture, $"Requires an API token whose effective privilege is at least `{wire}`, sent with an app name the token allows.");

        // R42: each scope requirement as the list of scopes that meet it (any one of them).
        var scopeRequirements = policy.Requirements.OfType<ApiTokenScopeRequirement>().ToArray();
        if (scopeRequirements.Length > 0)
        {
            var scopes = new JsonArray();
            foreach (var scope in scopeRequirements.SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal))
            {
                scopes.Add((JsonNode?)JsonValue.Create(scope));
            }

            operation.Extensions[ScopesExtension] = new JsonNodeExtension(scopes);
            requires += " A scoped token must hold " + string.Join(" and ", scopeRequirements.Select(r => r.Scopes.Count == 1 ? $"`{r.Scopes[0]}`" : "one of " + string.Join(", ", r.Scopes.Select(s => $"`{s}`"))))
                + " (or `resource:*` of its resource); an unscoped token needs only the privilege.";
        }

        operation.Description = string.IsNullOrEmpty(operation.Description) ? requires : operation.Description + "\n\n" + requires;

        var unauthorized = OpenApiProblems.Add(operation, document, 401, "No valid token or app name, or the app waits for approval.", [ApiTokenFailureCodes.BadToken, ApiTokenFailureCodes.BadApp, ApiTokenFailureCodes.PendingApp]);
        OpenApiProblems.AddHeader(unauthorized, "WWW-Authenticate", "The challenge: ApiToken realm=\"...\".");
        // A requirement of the host's own (a claim, a role) refuses with the plain Forbidden code; a scope
        // requirement (or RequireScopeForScopedTokens) with Forbidden.Scope.
        List<string> forbidden = [ApiTokenFailureCodes.DeniedApp, ApiTokenFailureCodes.TooManyApps, ApiTokenFailureCodes.InsufficientPrivilege, ApiTokenFailureCodes.Network];
        var scoped = scopeRequirements.Length > 0 || context.ApplicationServices.GetRequiredService<IOptions<ApiTokenOptions>>().Value.RequireScopeForScopedTokens;
        if (scoped)
        {
            forbidden.Add(ApiTokenFailureCodes.Scope);
        }

        if (policy.Requirements.Any(r => r is not (ApiTokenPrivilegeRequirement or ApiTokenScopeRequirement or DenyAnonymousAuthorizationRequirement)))
        {
            forbidden.Add(ApiTokenFailureCodes.Forbidden);
        }

        var refused = OpenApiProblems.Add(operation, document, 403, "The app is denied or over the token's app limit, the request comes from outside the token's networks, or the token's privilege is too low" + (scoped ? ", or its scopes do not include this request." : "."), [.. forbidden]);
        if (scoped)
        {
            OpenApiProblems.AddHeader(refused, ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName, "With Forbidden.Scope: the scopes the operation accepts.");
        }
        var throttled = OpenApiProblems.Add(operation, document, 429, "The client failed authentication too often, or the token is over its rate limit.", [ApiTokenFailureCodes.AuthFailures, ApiTokenFailureCodes.RateLimit]);
        OpenApiProblems.AddHeader(throttled, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
        OpenApiProblems.AddHeader(throttled, "RateLimit-Policy", "With TooManyRequests.RateLimit: the token's limit and window.");
        OpenApiProblems.AddHeader(throttled, "RateLimit", "With TooManyRequests.RateLimit: none left, and the seconds until the window resets.");
        var unavailable = OpenApiProblems.Add(operation, document, 503, "The token store could not be read; nobody is let in.", [ApiTokenFailureCodes.StoreUnavailable]);
        OpenApiProblems.AddHeader(unavailable, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
    }

    private ApiTokenAuthenticationOptions Options(IServiceProvider services)
        => services.GetRequiredService<IOptionsMonitor<ApiTokenAuthenticationOptions>>().Get(_scheme);

    private static IDictionary<string, string> Declared(IServiceProvider services)
        => services.GetRequiredService<IOptions<ApiTokenOptions>>().Value.Scopes;

    // Each alternative is one security requirement: all of its schemes together.
    private IEnumerable<string[]> Alternatives(ApiTokenAuthenticationOptions options)
    {
        yield return [_tokenHeader, _appName];
        if (options.DefaultAppName is not null)
        {
            yield return [_tokenHeader];
        }

        if (options.AllowBasicAuthorization)
        {
            yield return [_basic];
        }

        if (options.AllowBearerAuthorization)
        {
            yield return [_bearer, _appName];
            if (options.DefaultAppName is not null)
            {
                yield return [_bearer];
            }
        }
    }

    private void EnsureSchemes(OpenApiDocument document, ApiTokenAuthenticationOptions options, IDictionary<string, string> declared)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(_tokenHeader) == true)
        {
            return;
        }

        var appName = options.DefaultAppName is null
            ? "Required with the token header or Bearer."
            : $"Optional: without it the app is '{options.DefaultAppName}'.";
        document.AddComponent<IOpenApiSecurityScheme>(_tokenHeader, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = options.TokenHeaderName,
            Description = $"The API token's secret in {options.TokenHeaderName}, together with the app name in {options.AppNameHeaderName}." + ScopesDescription(declared),
        });
        document.AddComponent<IOpenApiSecurityScheme>(_appName, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = options.AppNameHeaderName,
            Description = $"The name of the application using the token (1 to 256 characters). {appName} A new app is recorded under the token with its default app state.",
        });
        if (options.AllowBasicAuthorization)
        {
            document.AddComponent<IOpenApiSecurityScheme>(_basic, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "Authorization: Basic base64(app name:secret) — the app name as the user name, the token as the password.",
            });
        }

        if (options.AllowBearerAuthorization)
        {
            document.AddComponent<IOpenApiSecurityScheme>(_bearer, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = $"Authorization: Bearer secret, together with the app name in {options.AppNameHeaderName}.",
            });
        }
    }

    // R42: the scopes a token may be narrowed to, as a list in the scheme's description.
    private static string ScopesDescription(IDictionary<string, string> declared)
        => declared.Count == 0
            ? string.Empty
            : "\n\nA token may be narrowed to scopes (`resource:*` holds every action of a resource); operations that need one list it in `x-apitokens-scopes`:\n"
                + string.Concat(declared.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"\n- `{d.Key}`: {d.Value}"));

    private static TokenPrivilege LeastPrivilege(AuthorizationPolicy policy, string? method)
    {
        var least = TokenPrivilege.ReadOnly;
        foreach (var requirement in policy.Requirements.OfType<ApiTokenPrivilegeRequirement>())
        {
            var needed = requirement.Privilege ?? ApiTokenPrivilegeAuthorizationHandler.ForMethod(method);
            if (Rank(needed) > Rank(least))
            {
                least = needed;
            }
        }

        return least;
    }

    private static int Rank(TokenPrivilege privilege) => privilege switch
    {
        TokenPrivilege.Admin => 2,
        TokenPrivilege.Normal => 1,
        _ => 0,
    };

    // The policy the authorization middleware evaluates for the endpoint.
    private static async Task<AuthorizationPolicy?> CombinePolicyAsync(IList<object> metadata, IServiceProvider services)
    {
        var provider = services.GetRequiredService<IAuthorizationPolicyProvider>();
        var authorizeData = metadata.OfType<IAuthorizeData>().ToArray();
        var policies = metadata.OfType<AuthorizationPolicy>().ToArray();
        var requirementData = metadata.OfType<IAuthorizationRequirementData>().ToArray();
        var policy = await AuthorizationPolicy.CombineAsync(provider, authorizeData, policies).ConfigureAwait(false);
        if (requirementData.Length > 0)
        {
            var builder = new AuthorizationPolicyBuilder();
            if (policy is not null)
            {
                builder.Combine(policy);
            }

            foreach (var data in requirementData)
            {
                builder.AddRequirements([.. data.GetRequirements()]);
            }

            policy = builder.Build();
        }

        if (policy is null && authorizeData.Length == 0 && policies.Length == 0)
        {
            policy = await provider.GetFallbackPolicyAsync().ConfigureAwait(false);
        }

        return policy;
    }
}
