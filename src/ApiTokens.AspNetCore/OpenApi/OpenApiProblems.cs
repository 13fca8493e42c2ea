using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ApiTokens.AspNetCore.OpenApi;

// The problem+json responses of the scheme and the management API in OpenAPI: one component
// (RFC 9457 with the fields Circonus clients read) and, per response, the codes it can carry.
internal static class OpenApiProblems
{
    public const string SchemaName = "ApiTokenProblemDetails";
    public const string ContentType = "application/problem+json";

    public static OpenApiSchemaReference EnsureSchema(OpenApiDocument document)
    {
        if (document.Components?.Schemas?.ContainsKey(SchemaName) != true)
        {
            document.AddComponent<IOpenApiSchema>(SchemaName, new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "An RFC 9457 problem that also carries the fields Circonus clients read: code, message, explanation and reference (the request's trace id).",
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = String("A URI that identifies the problem type."),
                    ["title"] = String("A short summary (the same as message)."),
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
                    ["detail"] = String("What happened and what to do (the same as explanation)."),
                    ["code"] = String("A stable code, such as Unauthorized.BadToken or TokenNotFound."),
                    ["message"] = String("A short summary."),
                    ["explanation"] = String("What happened and what to do."),
                    ["reference"] = String("The request's trace id, for the service's logs."),
                },
                Required = new HashSet<string> { "status", "code", "message", "reference" },
            });
        }

        return new OpenApiSchemaReference(SchemaName, document);
    }

    // Sets (or widens) the problem response for a status: the schema narrowed to the codes it can carry.
    public static OpenApiResponse Add(OpenApiOperation operation, OpenApiDocument document, int status, string description, IEnumerable<string> codes)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var all = new SortedSet<string>(codes, StringComparer.Ordinal);
        if (operation.Responses.TryGetValue(key, out var existing) && existing is OpenApiResponse known && CodesOf(known) is { } earlier)
        {
            all.UnionWith(earlier);
            description = known.Description + " " + description;
        }

        var response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ContentType] = new() { Schema = Schema(document, all) },
            },
            Headers = (existing as OpenApiResponse)?.Headers is { } headers ? new Dictionary<string, IOpenApiHeader>(headers) : null,
        };
        operation.Responses[key] = response;
        return response;
    }

    public static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    private static OpenApiSchema Schema(OpenApiDocument document, IEnumerable<string> codes) => new()
    {
        AllOf =
        [
            EnsureSchema(document),
            new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. codes.Select(c => (JsonNode)JsonValue.Create(c))] },
                },
            },
        ],
    };

    private static IEnumerable<string>? CodesOf(OpenApiResponse response)
        => response.Content?.TryGetValue(ContentType, out var media) == true
            && media.Schema is OpenApiSchema { AllOf: [_, OpenApiSchema narrowed] }
            && narrowed.Properties?.TryGetValue("code", out var code) == true
            && code.Enum is { } values
            ? values.Select(v => v.GetValue<string>())
            : null;

    private static OpenApiSchema String(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
