using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ApiTokens.AspNetCore.Gateways;

// R41: a proxy asks whether the request it holds may pass. The credentials are read and judged as the
// scheme judges them (the same reader, the same validation flow and cache: a hit does no store I/O);
// the original method and URI come from Traefik's or nginx's headers; the privilege follows R16 from
// the original method unless a rule says otherwise, and a rule's scope narrows scoped tokens (R42).
// Allowed: 200 with the identity headers for the upstream. Refused: the API's status and problem body,
// except that a 429 becomes ForwardAuth:TooManyRequestsStatus (nginx turns a 429 into a 500).
internal static class ForwardAuthEndpoint
{
    public const string IdHeader = "X-ApiToken-Id";
    public const string AccountHeader = "X-ApiToken-Account";
    public const string OwnerHeader = "X-ApiToken-Owner";
    public const string PrivilegeHeader = "X-ApiToken-Privilege";
    public const string AppHeader = "X-ApiToken-App";
    public const string ScopesHeader = "X-ApiToken-Scopes";

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptionsMonitor<ApiTokenForwardAuthOptions>>().CurrentValue;
        var scheme = services.GetRequiredService<IOptionsMonitor<ApiTokenAuthenticationOptions>>().Get(ApiTokenAuthenticationDefaults.AuthenticationScheme);
        var request = context.Request;
        var method = First(request.Headers, "X-Forwarded-Method", "X-Original-Method") ?? request.Method;
        var uri = First(request.Headers, "X-Forwarded-Uri", "X-Original-URI") ?? "/";
        var path = uri.Split('?', 2)[0];
        var client = ClientAddress(context, options);

        if (!CredentialReader.TryRead(request, scheme, out var secret, out var appName))
        {
            await ApiTokenRefusals.WriteAsync(context, scheme, ApiTokenValidationStatus.BadToken, null, null, options.TooManyRequestsStatus).ConfigureAwait(false);
            return;
        }

        var validator = services.GetRequiredService<ApiTokenValidator>();
        var result = await validator.ValidateAsync(secret, appName, ClientKeys.ForAddress(client), client, context.RequestAborted).ConfigureAwait(false);
        if (result.Status != ApiTokenValidationStatus.Success)
        {
            await ApiTokenRefusals.WriteAsync(context, scheme, result.Status, result.RetryAfter, result.RateLimit, options.TooManyRequestsStatus).ConfigureAwait(false);
            return;
        }

        var token = result.Token!;
        var rule = FindRule(options, method, path);
        var needed = rule?.Privilege ?? Authorization.ApiTokenPrivilegeAuthorizationHandler.ForMethod(method);
        if (token.EffectivePrivilege < needed)
        {
            await ApiTokenRefusals.InsufficientPrivilegeAsync(context, needed, token.EffectivePrivilege).ConfigureAwait(false);
            return;
        }

        if (token.Scopes.Count > 0)
        {
            var core = services.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue;
            if (rule?.Scope is { } scope ? !ApiTokenScopes.Grants(token.Scopes, scope) : core.RequireScopeForScopedTokens)
            {
                await ApiTokenRefusals.ScopeAsync(context, rule?.Scope ?? "").ConfigureAwait(false);
                return;
            }
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers[IdHeader] = token.TokenId;
        headers[AccountHeader] = token.AccountId;
        headers[OwnerHeader] = token.OwnerId ?? "";
        headers[PrivilegeHeader] = Authorization.ApiTokenPrivilegeNames.Wire(token.EffectivePrivilege);
        headers[AppHeader] = token.AppName;
        headers[ScopesHeader] = string.Join(' ', token.Scopes);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static ApiTokenForwardAuthRule? FindRule(ApiTokenForwardAuthOptions options, string method, string path)
    {
        foreach (var rule in options.Rules)
        {
            if (rule.Matches(method, path))
            {
                return rule;
            }
        }

        return null;
    }

    // The client as a trusted proxy names it (X-Real-IP, else the last X-Forwarded-For entry: the one the
    // proxy itself added); any other caller is the client.
    private static IPAddress? ClientAddress(HttpContext context, ApiTokenForwardAuthOptions options)
    {
        var caller = context.Connection.RemoteIpAddress;
        if (caller is null)
        {
            return null;
        }

        if (caller.IsIPv4MappedToIPv6)
        {
            caller = caller.MapToIPv4();
        }

        var trusted = false;
        foreach (var proxy in options.CompiledProxies())
        {
            trusted |= proxy.Contains(caller);
        }

        if (!trusted)
        {
            return caller;
        }

        if (context.Request.Headers["X-Real-IP"].ToString() is { Length: > 0 } real && IPAddress.TryParse(real.Trim(), out var realAddress))
        {
            return realAddress;
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is not null && IPAddress.TryParse(last, out var forwardedAddress) ? forwardedAddress : caller;
    }

    private static string? First(IHeaderDictionary headers, string traefik, string nginx)
    {
        StringValues value = headers[traefik];
        if (StringValues.IsNullOrEmpty(value))
        {
            value = headers[nginx];
        }

        return StringValues.IsNullOrEmpty(value) ? null : value.ToString();
    }
}
