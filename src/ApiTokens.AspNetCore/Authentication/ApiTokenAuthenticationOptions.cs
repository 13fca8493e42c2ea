using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

/// <summary>Options of the ApiTokens authentication scheme.</summary>
public sealed class ApiTokenAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The longest accepted secret or <c>Authorization</c> value; longer values fail without further work.</summary>
    public const int MaxCredentialLength = 1024;

    /// <summary>The default <see cref="PendingAppHint"/>.</summary>
    public const string DefaultPendingAppHint = "The application was recorded under the token; a manager of the token must allow it on the API Tokens page.";

    /// <summary>Creates the options with their defaults.</summary>
    public ApiTokenAuthenticationOptions()
    {
        Events = new ApiTokenAuthenticationEvents();
    }

    /// <summary>The header that carries the secret. Default: <c>X-Circonus-Auth-Token</c>. Matched case-insensitively.</summary>
    public string TokenHeaderName { get; set; } = ApiTokenAuthenticationDefaults.TokenHeaderName;

    /// <summary>The header that carries the application name. Default: <c>X-Circonus-App-Name</c>. Matched case-insensitively.</summary>
    public string AppNameHeaderName { get; set; } = ApiTokenAuthenticationDefaults.AppNameHeaderName;

    /// <summary>Accept <c>Authorization: Basic base64(app:secret)</c>. Default: <see langword="true"/>.</summary>
    public bool AllowBasicAuthorization { get; set; } = true;

    /// <summary>Accept <c>Authorization: Bearer secret</c> (with the app name header). Default: <see langword="true"/>.</summary>
    public bool AllowBearerAuthorization { get; set; } = true;

    /// <summary>
    /// The application name assumed when a request presents a token without one. Default:
    /// <see langword="null"/>: such requests fail with <c>Unauthorized.BadApp</c>.
    /// </summary>
    public string? DefaultAppName { get; set; }

    /// <summary>
    /// The key failed authentications are counted by (R27, see <see cref="ApiTokenOptions.FailureLimit"/>).
    /// Default: the remote IP address (<see cref="ConnectionInfo.RemoteIpAddress"/>), IPv6 addresses by
    /// their /64 prefix (one host's usual allocation). <see langword="null"/>, or a key of
    /// <see langword="null"/>, is not throttled.
    /// </summary>
    /// <remarks>
    /// Behind a proxy, use ASP.NET Core's forwarded-headers middleware (<c>app.UseForwardedHeaders()</c>
    /// with the proxy listed in <c>KnownProxies</c>) so the remote address is the client's; the scheme never
    /// reads <c>X-Forwarded-For</c> itself, since any client can send it. The function runs on every
    /// request with credentials: keep it cheap.
    /// </remarks>
    public Func<HttpContext, string?>? ClientKey { get; set; } = ClientKeys.RemoteIpAddress;

    /// <summary>The realm in the <c>WWW-Authenticate</c> challenge. Default: <c>api</c>.</summary>
    public string Realm { get; set; } = "api";

    /// <summary>
    /// What a client whose app waits for approval is told to do (the <c>detail</c> of
    /// <c>Unauthorized.PendingApp</c>). Default: <see cref="DefaultPendingAppHint"/>, which names the
    /// API Tokens page; a host without the page says where its users approve apps instead.
    /// </summary>
    public string PendingAppHint { get; set; } = DefaultPendingAppHint;

    /// <summary>The events raised by the handler.</summary>
    public new ApiTokenAuthenticationEvents Events
    {
        get => (ApiTokenAuthenticationEvents)base.Events!;
        set => base.Events = value;
    }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        ThrowIfInvalidHeaderName(TokenHeaderName, nameof(TokenHeaderName));
        ThrowIfInvalidHeaderName(AppNameHeaderName, nameof(AppNameHeaderName));
        if (string.Equals(TokenHeaderName, AppNameHeaderName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{nameof(TokenHeaderName)} and {nameof(AppNameHeaderName)} must differ.", nameof(AppNameHeaderName));
        }

        if (DefaultAppName is not null && !ApiTokenValidator.IsValidAppName(DefaultAppName))
        {
            throw new ArgumentException($"{nameof(DefaultAppName)} must be 1 to 256 characters with no control characters.", nameof(DefaultAppName));
        }

        if (string.IsNullOrEmpty(Realm) || Realm.Contains('"', StringComparison.Ordinal) || Realm.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{nameof(Realm)} must be non-empty without quotes or backslashes.", nameof(Realm));
        }

        if (string.IsNullOrWhiteSpace(PendingAppHint) || PendingAppHint.Length > 1024)
        {
            throw new ArgumentException($"{nameof(PendingAppHint)} must be 1 to 1024 characters.", nameof(PendingAppHint));
        }
    }

    private static void ThrowIfInvalidHeaderName(string? name, string property)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException($"{property} must be set.", property);
        }

        foreach (var c in name)
        {
            // RFC 9110 token characters.
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                throw new ArgumentException($"{property} '{name}' is not a valid header name.", property);
            }
        }
    }
}
