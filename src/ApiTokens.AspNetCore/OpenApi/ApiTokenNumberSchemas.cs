using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ApiTokens.AspNetCore.OpenApi;

// ASP.NET Core describes every number read with web defaults as "integer or numeric string". The
// management API writes integers and documents integers; that it also reads numeric strings is
// leniency, not contract. So the numbers of this package's bodies are described as integers
// (generated clients get plain int/long properties).
internal static class ApiTokenNumberSchemas
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.DeclaringType.Assembly == typeof(ApiTokenNumberSchemas).Assembly
            && schema.Type is { } type
            && type.HasFlag(JsonSchemaType.String)
            && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
