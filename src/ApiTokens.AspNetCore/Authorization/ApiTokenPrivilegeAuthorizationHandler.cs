using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ApiTokens.AspNetCore.Authorization;

// R16. Runs in every authorization evaluation:
// - a request authenticated by an API token must have at least the privilege the endpoint requires:
//   the highest explicit ApiTokenPrivilegeRequirement of the policy, else the method default
//   (ReadOnly for safe methods, Normal otherwise) — so the default applies to any endpoint that
//   requires authorization, without naming a policy;
// - an ApiTokenPrivilegeRequirement is never met by a request not authenticated by an API token.
// On failure it records the required level for the scheme's 403 body (Forbidden.InsufficientPrivilege)
// as an ApiTokenForbiddenFeature of the request.
internal sealed class ApiTokenPrivilegeAuthorizationHandler : IAuthorizationHandler
{
    private readonly ILogger _logger;

    public ApiTokenPrivilegeAuthorizationHandler(ILogger<ApiTokenPrivilegeAuthorizationHandler> logger)
    {
        _logger = logger;
    }

    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var identity = FindIdentity(context.User);
        TokenPrivilege? explicitLevel = null;
        var hasRequirement = false;

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
        }

        if (identity is null)
        {
            // Not an API-token request: our requirements stay unmet, anything else is not ours to judge.
            return Task.CompletedTask;
        }

        var httpContext = context.Resource as HttpContext;
        var method = httpContext?.Request.Method;
        var required = explicitLevel ?? DefaultFor(method);
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

        if (hasRequirement)
        {
            for (var i = 0; i < requirements.Count; i++)
            {
                if (requirements[i] is ApiTokenPrivilegeRequirement ours)
                {
                    context.Succeed(ours);
                }
            }
        }

        return Task.CompletedTask;
    }

    // Without an HTTP request to look at, be strict.
    private static TokenPrivilege DefaultFor(string? method)
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
