using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Authorization;

// R16. Runs in every authorization evaluation:
// - a request authenticated by an API token must have at least the privilege the endpoint requires:
//   the highest explicit ApiTokenPrivilegeRequirement of the policy, else the method default
//   (ReadOnly for safe methods, Normal otherwise) — so the default applies to any endpoint that
//   requires authorization, without naming a policy;
// - an ApiTokenPrivilegeRequirement is never met by a request not authenticated by an API token.
// R42, in the same pass: a scoped token must hold one of the accepted scopes of every
// ApiTokenScopeRequirement (or resource:* of its resource), and, with RequireScopeForScopedTokens, may
// only call endpoints that name a scope; an unscoped token meets every scope requirement. Judged on the
// validated pair's scopes (the cached entry's array): no store I/O, no allocation.
// On failure it records what was missing for the scheme's 403 body (Forbidden.InsufficientPrivilege,
// Forbidden.Scope) as an ApiTokenForbiddenFeature of the request.
internal sealed class ApiTokenPrivilegeAuthorizationHandler : IAuthorizationHandler
{
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<ApiTokenOptions> _options;

    public ApiTokenPrivilegeAuthorizationHandler(ILogger<ApiTokenPrivilegeAuthorizationHandler> logger, IOptionsMonitor<ApiTokenOptions> options)
    {
        _logger = logger;
        _options = options;
    }

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var identity = FindIdentity(context.User);
        TokenPrivilege? explicitLevel = null;
        var hasRequirement = false;
        var hasScopeRequirement = false;

        // The policy's requirements, by index: enumerating PendingRequirements (a HashSet behind an
        // interface) boxes an enumerator per loop, 80 bytes per request (AuthorizationBenchmarks).
        // Only this handler satisfies ours, so every one of ours in the policy is still pending.
        var requirements = context.Requirements as IReadOnlyList<IAuthorizationRequirement> ?? [.. context.Requirements];
        for (var i = 0; i < requirements.Count; i++)
        {
            if (requirements[i] is ApiTokenPrivilegeRequirement ours)
            {
                hasRequirement = true;
                if (ours.Privilege is { } level && (explicitLevel is null || level > explicitLevel))
                {
                    explicitLevel = level;
                }
            }
            else if (requirements[i] is ApiTokenScopeRequirement)
            {
                hasScopeRequirement = true;
            }
        }

        if (identity is null)
        {
            // Not an API-token request: our requirements stay unmet, anything else is not ours to judge.
            return Task.CompletedTask;
        }

        var httpContext = context.Resource as HttpContext;
        var method = httpContext?.Request.Method;
        var required = explicitLevel ?? ForMethod(method);
        var effective = identity.Token.EffectivePrivilege;
        if (effective < required)
        {
            if (httpContext is not null)
            {
                httpContext.Features.Set(new ApiTokenForbiddenFeature(required));
                Log.InsufficientPrivilege(_logger, effective, required, method ?? string.Empty, httpContext.Request.Path.Value ?? string.Empty);
            }

            context.Fail(new AuthorizationFailureReason(this, $"The API token's privilege {effective} is below the required {required}."));
            return Task.CompletedTask;
        }

        var scopes = identity.Token.Scopes;
        if (scopes.Count > 0 && ScopeRefusal(requirements, scopes, hasScopeRequirement) is { } refusal)
        {
            if (httpContext is not null)
            {
                httpContext.Features.Set(new ApiTokenForbiddenFeature(refusal));
                Log.ScopeMissing(_logger, refusal, method ?? string.Empty, httpContext.Request.Path.Value ?? string.Empty);
            }

            context.Fail(new AuthorizationFailureReason(this, refusal.Length == 0
                ? "The API token is scoped and the endpoint names no scope (RequireScopeForScopedTokens)."
                : "The API token holds none of the scopes " + refusal + "."));
            return Task.CompletedTask;
        }

        if (hasRequirement || hasScopeRequirement)
        {
            for (var i = 0; i < requirements.Count; i++)
            {
                if (requirements[i] is ApiTokenPrivilegeRequirement or ApiTokenScopeRequirement)
                {
                    context.Succeed(requirements[i]);
                }
            }
        }

        return Task.CompletedTask;
    }

    // What a scoped token lacks: the accepted scopes of the first requirement it does not meet, "" when
    // the endpoint names no scope and RequireScopeForScopedTokens is set, or null when nothing.
    private string? ScopeRefusal(IReadOnlyList<IAuthorizationRequirement> requirements, IReadOnlyList<string> scopes, bool hasScopeRequirement)
    {
        if (!hasScopeRequirement)
        {
            return _options.CurrentValue.RequireScopeForScopedTokens ? string.Empty : null;
        }

        for (var i = 0; i < requirements.Count; i++)
        {
            if (requirements[i] is ApiTokenScopeRequirement scope && !Meets(scopes, scope))
            {
                return scope.Accepted;
            }
        }

        return null;
    }

    private static bool Meets(IReadOnlyList<string> held, ApiTokenScopeRequirement requirement)
    {
        var accepted = requirement.Scopes;
        for (var i = 0; i < accepted.Count; i++)
        {
            if (ApiTokenScopes.Grants(held, accepted[i]))
            {
                return true;
            }
        }

        return false;
    }

    // R16's default: GET, HEAD and OPTIONS read, the rest writes. Without a method, be strict.
    internal static TokenPrivilege ForMethod(string? method)
        => method is not null && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            ? TokenPrivilege.ReadOnly
            : TokenPrivilege.Normal;

    private static ApiTokenIdentity? FindIdentity(System.Security.Claims.ClaimsPrincipal user)
    {
        foreach (var identity in user.Identities)
        {
            if (identity is ApiTokenIdentity ours && ours.IsAuthenticated)
            {
                return ours;
            }
        }

        return null;
    }
}
