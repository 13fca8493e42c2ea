using Microsoft.AspNetCore.Authorization;

namespace ApiTokens.AspNetCore.Authorization;

/// <summary>
/// R42: a request authenticated by a <b>scoped</b> API token must hold one of <see cref="Scopes"/>
/// (or <c>resource:*</c> of its resource); an unscoped token meets it (its privilege decides, R16).
/// Several requirements on one endpoint must each be met. A request not authenticated by an API token
/// never meets it.
/// </summary>
public sealed class ApiTokenScopeRequirement : IAuthorizationRequirement
{
    /// <summary>Creates the requirement.</summary>
    /// <param name="scopes">The scopes the endpoint accepts, any one of which suffices (<c>resource:action</c>).</param>
    /// <exception cref="ArgumentException">No scope, or one that is not <c>resource:action</c>.</exception>
    public ApiTokenScopeRequirement(params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0)
        {
            throw new ArgumentException("Name at least one scope.", nameof(scopes));
        }

        foreach (var scope in scopes)
        {
            if (!ApiTokenScopes.IsValidName(scope))
            {
                throw new ArgumentException($"'{scope}' is not a scope name (resource:action; a-z, 0-9, '_', '.', '-').", nameof(scopes));
            }
        }

        Scopes = [.. scopes];
        Accepted = string.Join(", ", Scopes);
    }

    /// <summary>The scopes the endpoint accepts.</summary>
    public IReadOnlyList<string> Scopes { get; }

    // The X-Accepted-ApiToken-Scopes value, built once.
    internal string Accepted { get; }

    /// <inheritdoc />
    public override string ToString() => "ApiTokenScopeRequirement: " + Accepted;
}
