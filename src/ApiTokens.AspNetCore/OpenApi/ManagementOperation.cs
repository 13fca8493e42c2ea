using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Builder;
using ApiTokens.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ApiTokens.AspNetCore.OpenApi;

// What a management endpoint reads and answers beyond its handler's signature, for OpenAPI. The
// endpoints read their bodies, query and If-Match themselves (a wrong Content-Type is a 400 problem,
// R29, not routing's 415), so nothing here takes part in binding or routing: it only describes.
//
// Its errors are declared once: Errors lists what the endpoint's own work can answer (the manager's
// codes, EndpointError.Management), and what every endpoint of its shape answers is added from its
// shape — 400 InvalidRequest for a body, paging, ?days or If-Match; 401 NotSignedIn and 403
// NotAMember with a sign-in; 403 CrossOriginRequest for a state-changing method under the cross-site
// filter (R30); 412 with If-Match; 429 with Throttled (R27); 503 always (R20).
internal sealed class ManagementOperation
{
    private const string TokenWithSecret = "ApiTokenWithSecret";

    public Type? Body { get; init; }

    // The body's component name, where the type's own name is not one (an array).
    public string? BodyName { get; init; }

    public bool BodyOptional { get; init; }

    public (string Name, string Description)[] RequiredHeaders { get; init; } = [];

    public bool Paged { get; init; }

    public bool Days { get; init; }

    public bool IfMatch { get; init; }

    // The success response carries the secret (create, rotate).
    public bool Secret { get; init; }

    // The success response is a webhook endpoint with its signing secret (register, rotate).
    public bool WebhookSecret { get; init; }

    // The success response is one token (ETag header).
    public bool Token { get; init; }

    public bool Created { get; init; }

    public bool SignIn { get; init; } = true;

    // The endpoint runs the cross-site filter (MapApiTokens' group does, R30).
    public bool CrossOrigin { get; init; } = true;

    // The endpoint counts its requests as failures for R27 and can answer 429.
    public bool Throttled { get; init; }

    public EndpointError[] Errors { get; init; } = [];

    public RouteHandlerBuilder ApplyTo(RouteHandlerBuilder builder)
    {
        builder.Add(endpoint =>
        {
            // The statuses as ApiExplorer metadata too, for tools that read it rather than this transformer.
            var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(static m => m.HttpMethods);
            foreach (var status in Problems(methods.Any(IsStateChanging)).Keys)
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [OpenApiProblems.ContentType]));
            }
        });
        return builder.AddOpenApiOperationTransformer(TransformAsync);
    }

    private static bool IsStateChanging(string? method)
        => method is not null && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method);

    // Every status the endpoint can answer besides its success, with the codes each can carry.
    private Dictionary<int, SortedSet<string>> Problems(bool stateChanging)
    {
        var problems = new Dictionary<int, SortedSet<string>>();
        void Add(int status, string code)
        {
            if (!problems.TryGetValue(status, out var codes))
            {
                problems[status] = codes = new SortedSet<string>(StringComparer.Ordinal);
            }

            codes.Add(code);
        }

        foreach (var error in Errors)
        {
            Add(error.Status, error.Code);
        }

        if (Body is not null || Paged || Days || IfMatch)
        {
            Add(StatusCodes.Status400BadRequest, ApiTokenErrorCodes.InvalidRequest);
        }

        if (SignIn)
        {
            Add(StatusCodes.Status401Unauthorized, ManagementProblems.NotSignedInCode);
            Add(StatusCodes.Status403Forbidden, ApiTokenErrorCodes.NotAMember);
        }

        if (CrossOrigin && stateChanging)
        {
            Add(StatusCodes.Status403Forbidden, CrossOriginRequests.Code);
        }

        if (IfMatch)
        {
            Add(StatusCodes.Status412PreconditionFailed, ApiTokenErrorCodes.ConcurrencyConflict);
        }

        if (Throttled)
        {
            Add(StatusCodes.Status429TooManyRequests, ApiTokenFailureCodes.AuthFailures);
        }

        Add(StatusCodes.Status503ServiceUnavailable, ApiTokenFailureCodes.StoreUnavailable);
        return problems;
    }

    private async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Document is not { } document)
        {
            return;
        }

        if (Body is not null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = !BodyOptional,
                Description = BodyOptional ? "Optional: without a body the defaults apply." : null,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await ComponentAsync(Body, BodyName ?? Body.Name, context, document, cancellationToken).ConfigureAwait(false) },
                },
            };
        }

        operation.Parameters ??= [];
        if (Paged)
        {
            operation.Parameters.Add(Query("limit", "The page size: 1 to 1000 (default 100).", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "1000" }));
            operation.Parameters.Add(Query("cursor", "The next page, from the previous answer's Link: <…>; rel=\"next\" header.", new OpenApiSchema { Type = JsonSchemaType.String }));
        }

        if (Days)
        {
            operation.Parameters.Add(Query("days", "The days to cover, counted back from today (UTC): 1 to 90 (default 30).", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = "90" }));
        }

        foreach (var (name, description) in RequiredHeaders)
        {
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Header, Required = true, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
        }

        if (IfMatch)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "If-Match",
                In = ParameterLocation.Header,
                Description = "The token's ETag (its version, quoted, for example \"3\") or *: a change made meanwhile is refused with 412 instead of overwritten.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        DescribeSuccess(operation, document);
        foreach (var (status, codes) in Problems(IsStateChanging(context.Description.HttpMethod)))
        {
            var response = OpenApiProblems.Add(operation, document, status, Describe(status, codes), codes);
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                OpenApiProblems.AddHeader(response, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
            }
        }
    }

    private void DescribeSuccess(OpenApiOperation operation, OpenApiDocument document)
    {
        if (operation.Responses is null)
        {
            return;
        }

        foreach (var (key, value) in operation.Responses)
        {
            if (!key.StartsWith('2') || value is not OpenApiResponse response)
            {
                continue;
            }

            if (Secret && response.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Schema = EnsureWithSecret(document, TokenWithSecret, nameof(ApiTokenResponse), "A token as the create and rotate responses return it: with its secret, shown this once.");
                response.Description = "The token with its secret: the only time the secret is shown.";
            }

            if (WebhookSecret && response.Content?.TryGetValue("application/json", out var webhookMedia) == true)
            {
                webhookMedia.Schema = EnsureWithSecret(document, "WebhookWithSecret", nameof(Webhooks.WebhookResponse), "A webhook endpoint as registration and rotation return it: with its signing secret (whsec_…), shown this once.");
                response.Description = "The endpoint with its signing secret: the only time the secret is shown.";
            }

            if (Token)
            {
                OpenApiProblems.AddHeader(response, "ETag", "The token's version, quoted: send it back in If-Match.");
            }

            if (Created)
            {
                OpenApiProblems.AddHeader(response, "Location", "The new resource's URL.");
            }

            if (Paged)
            {
                OpenApiProblems.AddHeader(response, "Link", "<…>; rel=\"next\" when there is a next page.");
            }
        }
    }

    private static OpenApiSchemaReference EnsureWithSecret(OpenApiDocument document, string name, string baseComponent, string description)
    {
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            document.AddComponent<IOpenApiSchema>(name, new OpenApiSchema
            {
                Description = description,
                AllOf =
                [
                    new OpenApiSchemaReference(baseComponent, document),
                    new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "secret" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["secret"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The secret: store it now, it is never shown again." },
                        },
                    },
                ],
            });
        }

        return new OpenApiSchemaReference(name, document);
    }

    // A request body as a component of its own, closed like the endpoint reads it (an unknown property is a 400).
    private static async Task<IOpenApiSchema> ComponentAsync(Type type, string name, OpenApiOperationTransformerContext context, OpenApiDocument document, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken).ConfigureAwait(false);
            if (schema is OpenApiSchema { Type: { } kind } concrete && kind.HasFlag(JsonSchemaType.Object))
            {
                concrete.AdditionalPropertiesAllowed = false;
            }

            document.AddComponent(name, schema);
        }

        return new OpenApiSchemaReference(name, document);
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema)
        => new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };

    private string Describe(int status, SortedSet<string> codes) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed; nothing was changed.",
        StatusCodes.Status401Unauthorized when SignIn => "No signed-in member (the host's own sign-in, such as a cookie).",
        StatusCodes.Status401Unauthorized => "The request is not signed by a known key.",
        StatusCodes.Status403Forbidden when !codes.Contains(CrossOriginRequests.Code) => "The signed-in member may not do this.",
        StatusCodes.Status403Forbidden when codes.Count == 1 => "A browser sent it from another origin.",
        StatusCodes.Status403Forbidden => "The signed-in member may not do this, or a browser sent it from another origin.",
        StatusCodes.Status404NotFound => "No such token, or not one the member may see.",
        StatusCodes.Status409Conflict => "The token's state does not allow it, or another change won a race.",
        StatusCodes.Status412PreconditionFailed => "If-Match no longer matches the token's ETag; nothing was changed.",
        StatusCodes.Status413PayloadTooLarge => "The body is too large.",
        StatusCodes.Status429TooManyRequests => "Too many failures from this client.",
        StatusCodes.Status501NotImplemented => "This service's token store does not keep what this reads.",
        StatusCodes.Status503ServiceUnavailable => "The token store (or a server it needs) could not be reached; nothing was changed.",
        _ => "A problem.",
    };

}
