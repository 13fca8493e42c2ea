using ApiTokens.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore.Authentication;

/// <summary>The context of <see cref="ApiTokenAuthenticationEvents.OnChallenge"/>.</summary>
public sealed class ApiTokenChallengeContext : PropertiesContext<ApiTokenAuthenticationOptions>
{
    /// <summary>Creates the context.</summary>
    /// <param name="context">The request.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="options">The options.</param>
    /// <param name="properties">The challenge properties.</param>
    /// <param name="status">Why authentication failed (<see cref="ApiTokenValidationStatus.BadToken"/> when no token was presented).</param>
    public ApiTokenChallengeContext(HttpContext context, AuthenticationScheme scheme, ApiTokenAuthenticationOptions options, AuthenticationProperties? properties, ApiTokenValidationStatus status)
        : base(context, scheme, options, properties)
    {
        Status = status;
    }

    /// <summary>Why authentication failed.</summary>
    public ApiTokenValidationStatus Status { get; }

    /// <summary>Whether the response was written by the event.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the handler's own response.</summary>
    public void HandleResponse() => Handled = true;
}
