using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ApiTokens.AspNetCore;

// Writes application/problem+json (RFC 9457) that also carries the fields Circonus clients read:
// code, message, explanation, reference (the request's trace id).
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    // Relaxed escaping keeps messages readable; the body is JSON, never embedded in HTML.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, string code, string message, string explanation)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        var reference = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;

        var writer = new Utf8JsonWriter(response.BodyWriter, s_options);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeFor(status));
            writer.WriteString("title", message);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", explanation);
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteString("explanation", explanation);
            writer.WriteString("reference", reference);
            writer.WriteString("traceId", reference);
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}
