using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.OpenApi;
using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the ApiTokens authentication scheme in OpenAPI documents (docs/openapi.md).</summary>
public static class ApiTokenOpenApiOptionsExtensions
{
    /// <summary>
    /// Describes every way the scheme <c>ApiTokens</c> accepts a token, as it is configured, as security
    /// schemes (the token header together with the app-name header; <c>Basic</c>; <c>Bearer</c> with the
    /// app-name header — only those switched on, with the configured header names), and adds them as
    /// a requirement, with the scheme's 401, 403, 429 and 503 problem responses, to exactly the operations
    /// whose authorization policy authenticates with the scheme. The least privilege an operation needs
    /// (R16) is in its description and in <c>x-apitokens-privilege</c>. Numbers in the management API's
    /// bodies are described as the integers it writes and expects.
    /// </summary>
    /// <param name="options">The document's options, as <c>AddOpenApi</c> passes them.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddApiTokens(this OpenApiOptions options)
        => options.AddApiTokens(ApiTokenAuthenticationDefaults.AuthenticationScheme);

    /// <summary>Describes the ApiTokens authentication scheme named <paramref name="authenticationScheme"/>; see <see cref="AddApiTokens(OpenApiOptions)"/>.</summary>
    /// <param name="options">The document's options, as <c>AddOpenApi</c> passes them.</param>
    /// <param name="authenticationScheme">The scheme's name, as given to <c>AddApiTokens</c> on the authentication builder.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddApiTokens(this OpenApiOptions options, string authenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        var transformer = new ApiTokenSecurityTransformer(authenticationScheme);
        options.AddDocumentTransformer(transformer);
        options.AddOperationTransformer(transformer);
        options.AddSchemaTransformer(ApiTokenNumberSchemas.TransformAsync);
        return options;
    }
}
