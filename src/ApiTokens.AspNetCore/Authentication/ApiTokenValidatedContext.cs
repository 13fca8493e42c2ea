using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

/// <summary>The context of <see cref="ApiTokenAuthenticationEvents.OnTokenValidated"/>.</summary>
public sealed class ApiTokenValidatedContext : ResultContext<ApiTokenAuthenticationOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The options.</param>
    /// <param name="token">The validated token.</param>
    public ApiTokenValidatedContext(HttpContext context, AuthenticationScheme scheme, ApiTokenAuthenticationOptions options, ValidatedApiToken token)
        : base(context, scheme, options)
    {
        ArgumentNullException.ThrowIfNull(token);
        Token = token;
    }

    /// <summary>The validated token.</summary>
    public ValidatedApiToken Token { get; }
}
