using System.Net;

namespace ApiTokens.AspNetCore.Gateways;

/// <summary>
/// Forward authentication for proxies (R41), read from <c>ApiTokens:ForwardAuth</c>, code after it:
/// which privilege or scope a proxied path needs, which proxies may name the client's address, and
/// the status a rate-limited request gets.
/// </summary>
public sealed class ApiTokenForwardAuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ApiTokens:ForwardAuth";

    /// <summary>
    /// Rules by path prefix, the first match wins; a path no rule matches needs the privilege its
    /// method implies (R16: GET, HEAD and OPTIONS read-only, others normal) and no scope.
    /// </summary>
    public IList<ApiTokenForwardAuthRule> Rules { get; } = [];

    /// <summary>
    /// The proxies (addresses or CIDR ranges) whose <c>X-Forwarded-For</c> or <c>X-Real-IP</c> names
    /// the client, for throttling (R27) and allowed networks (R33). A caller not listed is itself the
    /// client: any client could send those headers. Default: none.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>
    /// The status of a throttled or rate-limited request (429 for Traefik and Envoy, which pass it on).
    /// nginx's <c>auth_request</c> turns any status but 2xx, 401 and 403 into a 500: set 403 for nginx.
    /// </summary>
    public int TooManyRequestsStatus { get; set; } = 429;

    // TrustedProxies parsed, once, when forward authentication first reads them (a field and a method: configuration
    // binding looks at properties only). Validation has refused the options before any are read.
    private IPNetwork[]? _compiledProxies;

    internal IPNetwork[] CompiledProxies() => _compiledProxies ??= [.. TrustedProxies.Select(static p => TryParseProxy(p, out var network) ? network : default)];

    internal static string? Validate(ApiTokenForwardAuthOptions options)
    {
        for (var i = 0; i < options.Rules.Count; i++)
        {
            var rule = options.Rules[i];
            if (string.IsNullOrEmpty(rule.PathPrefix) || rule.PathPrefix[0] != '/')
            {
                return $"{SectionName}:Rules:{i}:PathPrefix is '{rule.PathPrefix}'; it must start with '/', e.g. /v2/annotation.";
            }

            if (rule.Privilege is { } privilege && !Enum.IsDefined(privilege))
            {
                return $"{SectionName}:Rules:{i}:Privilege is {privilege}, which is not one of ReadOnly, Normal, Admin.";
            }

            if (rule.Scope is { } scope && !ApiTokenScopes.IsValidName(scope))
            {
                return $"{SectionName}:Rules:{i}:Scope is '{scope}'; it must be a scope name resource:action, e.g. annotation:write.";
            }
        }

        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!TryParseProxy(options.TrustedProxies[i], out _))
            {
                return $"{SectionName}:TrustedProxies:{i} is '{options.TrustedProxies[i]}'; it must be an address or a CIDR range, e.g. 10.0.0.0/8 or 127.0.0.1.";
            }
        }

        if (options.TooManyRequestsStatus is not (429 or 403 or 401 or 503))
        {
            return $"{SectionName}:TooManyRequestsStatus is {options.TooManyRequestsStatus}; it must be 429, 403 (for nginx), 401 or 503.";
        }

        return null;
    }

    // A CIDR range, or one address as its own range.
    private static bool TryParseProxy(string value, out IPNetwork network)
    {
        if (IPNetwork.TryParse(value, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}

/// <summary>What a proxied path needs (R41). The first rule whose prefix and methods match applies.</summary>
public sealed class ApiTokenForwardAuthRule
{
    /// <summary>The path prefix, from '/', matched case-insensitively at a segment boundary.</summary>
    public string PathPrefix { get; set; } = "";

    /// <summary>The methods the rule applies to; none for every method.</summary>
    public IList<string> Methods { get; } = [];

    /// <summary>The least privilege; <see langword="null"/> for the method's (R16).</summary>
    public TokenPrivilege? Privilege { get; set; }

    /// <summary>The scope a scoped token must hold (R42); unscoped tokens are judged by privilege only.</summary>
    public string? Scope { get; set; }

    internal bool Matches(string method, string path)
    {
        if (!path.StartsWith(PathPrefix, StringComparison.OrdinalIgnoreCase)
            || (path.Length > PathPrefix.Length && PathPrefix[^1] != '/' && path[PathPrefix.Length] is not ('/' or '?')))
        {
            return false;
        }

        if (Methods.Count == 0)
        {
            return true;
        }

        foreach (var m in Methods)
        {
            if (string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
