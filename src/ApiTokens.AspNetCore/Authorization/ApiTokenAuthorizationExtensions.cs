using ApiTokens;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Requires API tokens on endpoints (R16).</summary>
public static class ApiTokenAuthorizationExtensions
{
    /// <summary>
    /// Requires a request authenticated by an API token (scheme <c>ApiTokens</c>), with the R16
    /// default privilege: <c>ReadOnly</c> for GET, HEAD and OPTIONS, <c>Normal</c> otherwise.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireApiToken(ApiTokenAuthenticationDefaults.AuthenticationScheme);

    /// <summary>Requires a request authenticated by an API token of <paramref name="scheme"/>, with the R16 default privilege.</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scheme">The authentication scheme.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiToken<TBuilder>(this TBuilder builder, string scheme)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        builder.Add(endpoint => ApiTokens.AspNetCore.ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoint.ApplicationServices, nameof(RequireApiToken)));
        return builder.RequireAuthorization(new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().AddRequirements(ApiTokenPrivilegeRequirement.ByMethod).Build());
    }

    /// <summary>Requires a request authenticated by an API token (scheme <c>ApiTokens</c>) with at least <paramref name="privilege"/> (R16).</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="privilege">The least effective privilege.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiTokenPrivilege<TBuilder>(this TBuilder builder, TokenPrivilege privilege)
        where TBuilder : IEndpointConventionBuilder
        => builder.RequireApiTokenPrivilege(privilege, ApiTokenAuthenticationDefaults.AuthenticationScheme);

    /// <summary>Requires a request authenticated by an API token of <paramref name="scheme"/> with at least <paramref name="privilege"/> (R16).</summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="privilege">The least effective privilege.</param>
    /// <param name="scheme">The authentication scheme.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiTokenPrivilege<TBuilder>(this TBuilder builder, TokenPrivilege privilege, string scheme)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        builder.Add(endpoint => ApiTokens.AspNetCore.ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoint.ApplicationServices, nameof(RequireApiTokenPrivilege)));
        return builder.RequireAuthorization(new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().AddRequirements(new ApiTokenPrivilegeRequirement(privilege)).Build());
    }

    /// <summary>
    /// Requires an API token of the default scheme that, when it is scoped, holds one of
    /// <paramref name="scopes"/> or <c>resource:*</c> of its resource (R42), besides the R16 privilege
    /// of the request's method. Scopes only narrow: an unscoped token is judged by its privilege alone.
    /// On a route group it applies to every endpoint; several calls must each be met.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The scopes the endpoint accepts, any one of which suffices (<c>resource:action</c>).</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireApiTokenScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new ApiTokenScopeRequirement(scopes);
        builder.Add(endpoint => ApiTokens.AspNetCore.ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoint.ApplicationServices, nameof(RequireApiTokenScope)));
        return builder.RequireAuthorization(new AuthorizationPolicyBuilder(ApiTokenAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().AddRequirements(ApiTokenPrivilegeRequirement.ByMethod, requirement).Build());
    }

    /// <summary>Adds an <see cref="ApiTokenScopeRequirement"/> (R42) to a policy.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes the policy accepts, any one of which suffices.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder AddApiTokenScopeRequirement(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new ApiTokenScopeRequirement(scopes));
    }

    /// <summary>Adds an API-token privilege requirement to a policy (R16).</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="privilege">The least effective privilege; <see langword="null"/> for the R16 default by method.</param>
    /// <returns>The builder.</returns>
    public static AuthorizationPolicyBuilder AddApiTokenPrivilegeRequirement(this AuthorizationPolicyBuilder builder, TokenPrivilege? privilege = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(privilege is null ? ApiTokenPrivilegeRequirement.ByMethod : new ApiTokenPrivilegeRequirement(privilege));
    }
}
