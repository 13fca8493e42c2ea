using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Http;
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
            await RefuseAsync(context, options, scheme, ApiTokenValidationStatus.BadToken, null).ConfigureAwait(false);
            return;
        }

        var validator = services.GetRequiredService<ApiTokenValidator>();
        var result = await validator.ValidateAsync(secret, appName, ClientKeys.ForAddress(client), client, context.RequestAborted).ConfigureAwait(false);
        if (result.Status != ApiTokenValidationStatus.Success)
        {
            await RefuseAsync(context, options, scheme, result.Status, result).ConfigureAwait(false);
            return;
        }

        var token = result.Token!;
        var rule = FindRule(options, method, path);
        var needed = rule?.Privilege ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) ? TokenPrivilege.ReadOnly : TokenPrivilege.Normal);
        if (token.EffectivePrivilege < needed)
        {
            await ApiTokenProblems.WriteAsync(
                context,
                StatusCodes.Status403Forbidden,
                ApiTokenFailureCodes.InsufficientPrivilege,
                "The token's privilege is too low for this request.",
                $"This request needs {Authorization.ApiTokenPrivilegeNames.Display(needed)} privilege; the token has {Authorization.ApiTokenPrivilegeNames.Display(token.EffectivePrivilege)}.").ConfigureAwait(false);
            return;
        }

        if (token.Scopes.Count > 0)
        {
            var core = services.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue;
            if (rule?.Scope is { } scope ? !ApiTokenScopes.Grants(token.Scopes, scope) : core.RequireScopeForScopedTokens)
            {
                if (rule?.Scope is { } accepted)
                {
                    context.Response.Headers[ApiTokenAuthenticationDefaults.AcceptedScopesHeaderName] = accepted;
                }

                await ApiTokenProblems.WriteAsync(
                    context,
                    StatusCodes.Status403Forbidden,
                    ApiTokenFailureCodes.Scope,
                    "The token's scopes do not include this request.",
                    rule?.Scope is { } needs
                        ? $"This request needs one of the scopes {needs}; the token is narrowed to others. Create or change a token with one of them."
                        : "This request names no scope, and this service refuses scoped tokens where no scope is named; use an unscoped token.").ConfigureAwait(false);
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

    private static async Task RefuseAsync(HttpContext context, ApiTokenForwardAuthOptions options, ApiTokenAuthenticationOptions scheme, ApiTokenValidationStatus status, ApiTokenValidationResult? result)
    {
        if (status == ApiTokenValidationStatus.StoreUnavailable)
        {
            var core = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue;
            await ApiTokenProblems.StoreUnavailable(context, core.StoreRetryAfter).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var failure = ApiTokenFailures.For(status);
        if (result?.RetryAfter is { } retryAfter)
        {
            ApiTokenProblems.SetRetryAfter(context, retryAfter);
        }
        else if (status == ApiTokenValidationStatus.Throttled)
        {
            ApiTokenProblems.SetRetryAfter(context, context.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue.FailureWindow);
        }

        var code = failure.Status == StatusCodes.Status429TooManyRequests ? options.TooManyRequestsStatus : failure.Status;
        if (code == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = $"ApiToken realm=\"{scheme.Realm}\"";
        }

        var explanation = status == ApiTokenValidationStatus.PendingApp ? scheme.PendingAppHint : failure.Explanation;
        await ApiTokenProblems.WriteAsync(context, code, failure.Code, failure.Message, explanation).ConfigureAwait(false);
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
        foreach (var proxy in options.CompiledProxies)
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
