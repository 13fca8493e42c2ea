using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

/// <summary>The context of <see cref="ApiTokenAuthenticationEvents.OnForbidden"/>.</summary>
public sealed class ApiTokenForbiddenContext : PropertiesContext<ApiTokenAuthenticationOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The options.</param>
    /// <param name="properties">The properties.</param>
    public ApiTokenForbiddenContext(HttpContext context, AuthenticationScheme scheme, ApiTokenAuthenticationOptions options, AuthenticationProperties? properties)
        : base(context, scheme, options, properties)
    {
    }

    /// <summary>Whether the response was written by the event.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the handler's own response.</summary>
    public void HandleResponse() => Handled = true;
}
