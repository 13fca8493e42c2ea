using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ApiTokens.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ApiTokens.AspNetCore.Endpoints;

// Reading management requests (R29): the JSON body — UTF-8, at most 16 KiB, an object, valid
// Unicode, no property the endpoint does not know, enums as single names — the paging query,
// ?days=, If-Match and an app name with '/' in the path. Bad input is a 400 problem with a message
// that names what to fix and never echoes it; nothing here throws past the endpoint.
internal static class ManagementRequests
{
    private const long MaxBodyBytes = 16 * 1024;

    public static (int? Limit, string? Cursor, ProblemHttpResult? Problem) ReadPaging(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = ApiTokenPaging.DefaultLimit;
        if (query.TryGetValue("limit", out var limitValues)
            && (limitValues.Count != 1 || !int.TryParse(limitValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit)))
        {
            return (null, null, ManagementProblems.InvalidRequest(context, $"The page size ('limit') must be a whole number from 1 to {ApiTokenPaging.MaxLimit}."));
        }

        string? cursor = null;
        if (query.TryGetValue("cursor", out var cursorValues))
        {
            if (cursorValues.Count != 1)
            {
                return (null, null, ManagementProblems.InvalidRequest(context, "Send one 'cursor'."));
            }

            cursor = cursorValues[0];
        }

        return (limit, cursor, null);
    }

    // ?days=1..90 for usage (30 when absent); the manager judges the range.
    public static bool TryReadDays(HttpContext context, out int days)
    {
        days = 30;
        var query = context.Request.Query["days"];
        return query.Count == 0 || (query.Count == 1 && int.TryParse(query[0], NumberStyles.None, CultureInfo.InvariantCulture, out days));
    }

    // The next page of a list, announced in a Link header (RFC 8288); the body stays an array.
    public static void LinkNext(HttpContext context, int limit, string? next)
    {
        if (next is not null)
        {
            // RFC 8288: a relative reference, resolved against this request's URL.
            var path = $"{context.Request.PathBase}{context.Request.Path}";
            context.Response.Headers.Link = $"<{path}?limit={limit}&cursor={Uri.EscapeDataString(next)}>; rel=\"next\"";
        }
    }

    public static ProblemHttpResult InvalidCursor(HttpContext context)
        => ManagementProblems.InvalidRequest(context, "The 'cursor' is not one this service gave out for this list and account; start again from the first page.");

    // If-Match (RFC 9110 §13.1.1): absent or "*" → no precondition; one of our strong tags → that
    // version; any other tag (weak, or not ours) can never match → a version no token has, so the
    // change is refused with 412 after the visibility check (404 stays 404). One tag per request:
    // a list of several is a 400, since the manager checks one version atomically with the write.
    public static bool TryReadIfMatch(HttpContext context, out long? expected)
    {
        expected = null;
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0)
        {
            return false;
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return true;
        }

        if (tags.Count != 1)
        {
            return false;
        }

        var tag = tags[0];
        expected = !tag.IsWeak
            && long.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : -1;
        return true;
    }

    public static ProblemHttpResult InvalidIfMatch(HttpContext context)
        => ManagementProblems.InvalidRequest(context, "'If-Match' must be \"*\" or one ETag of the token, such as \"3\".");

    // App names may contain '/', which servers keep encoded (%2F) in route values while decoding
    // everything else. Decode the raw path segment exactly once instead of guessing.
    public static string RawAppName(HttpContext context, string id, string routeValue)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routeValue;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        var segment = "/" + Uri.EscapeDataString(id) + "/apps/";
        var marker = path.IndexOf(segment, StringComparison.OrdinalIgnoreCase);
        if (marker < 0)
        {
            return routeValue;
        }

        try
        {
            return Uri.UnescapeDataString(path[(marker + segment.Length)..]);
        }
        catch (UriFormatException)
        {
            return routeValue;
        }
    }

    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, ManagementProblems.InvalidRequest(context, "Send a JSON body with 'Content-Type: application/json'."));
        }

        // JSON between systems is UTF-8 (RFC 8259): another declared charset is refused here, before
        // any reader tries to load an encoding it may not know (R29).
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            && mediaType.Charset.HasValue
            && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !mediaType.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ManagementProblems.InvalidRequest(context, "Send the JSON body in UTF-8 (charset=utf-8, or no charset)."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, ManagementProblems.InvalidRequest(context, $"The body may be at most {MaxBodyBytes} bytes."));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, context.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, ManagementProblems.InvalidRequest(context, "The body must be a JSON object."));
            }

            // Every name and string is read once here, so nothing read later can throw past this
            // point (R29): JSON may escape a lone UTF-16 surrogate ("\ud800"), which no .NET string
            // reader accepts.
            if (FindInvalidText(document.RootElement) is { } invalid)
            {
                return (null, ManagementProblems.InvalidRequest(context, $"The body is not valid: {invalid} holds text that is not valid Unicode."));
            }

            // A property this endpoint does not know is refused, not dropped: a client that sends a
            // setting it believes took effect (a misspelt 'allowedNetworks', say) must hear otherwise.
            if (FindUnknownProperty(document.RootElement, typeInfo, "") is { } unknown)
            {
                return (null, ManagementProblems.InvalidRequest(context, $"The body has a property this endpoint does not know: '{unknown}'. Nothing was changed."));
            }

            if (FindListedEnumValue(document.RootElement) is { } field)
            {
                return (null, ManagementProblems.InvalidRequest(context, $"'{field}' takes one name (for example 'user', 'readOnly', 'allow'): no lists, no numbers."));
            }

            var body = document.RootElement.Deserialize(typeInfo);
            return body is null
                ? (null, ManagementProblems.InvalidRequest(context, "The body must be a JSON object."))
                : (body, null);
        }
        catch (JsonException ex)
        {
            // The path names the field; the message of a JsonException may quote input, so it is not echoed.
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "the body" : $"'{ex.Path.TrimStart('$', '.')}'";
            return (null, ManagementProblems.InvalidRequest(context, $"The body is not valid: check {where} (numbers are JSON numbers, not strings; enums are 'user'/'account', 'admin'/'normal'/'readOnly', 'allow'/'pending'/'deny')."));
        }
        catch (BadHttpRequestException)
        {
            return (null, ManagementProblems.InvalidRequest(context, $"The body may be at most {MaxBodyBytes} bytes."));
        }
    }

    // The first name or string (by its path) that is not valid Unicode, or null.
    private static string? FindInvalidText(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return $"a property name in '{path}'";
                    }

                    if (FindInvalidText(property.Value, path + "." + name) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidText(item, $"{path}[{i++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return $"'{path.TrimStart('$', '.')}'";
                }

            default:
                return null;
        }
    }

    // The first property of a JSON object (or of an object nested in it) that the type has no member
    // for; names match case-insensitively, as the serializer reads them.
    private static string? FindUnknownProperty(JsonElement element, JsonTypeInfo typeInfo, string path)
    {
        foreach (var property in element.EnumerateObject())
        {
            var name = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (typeInfo.Properties.FirstOrDefault(p => string.Equals(p.Name, property.Name, StringComparison.OrdinalIgnoreCase)) is not { } member)
            {
                return name.Length > 64 ? name[..64] + "…" : name;
            }

            if (property.Value.ValueKind == JsonValueKind.Object
                && typeInfo.Options.GetTypeInfo(member.PropertyType) is { Kind: JsonTypeInfoKind.Object } nested
                && FindUnknownProperty(property.Value, nested, name) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    // System.Text.Json's enum converter reads "user, account" as a combination of flags; an enum value
    // here is one name, starting with a letter (R29). Returns the offending field.
    private static string? FindListedEnumValue(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String && IsEnumField(property.Name))
            {
                var value = property.Value.GetString()!;
                if (value.Length == 0 || !char.IsAsciiLetter(value[0]) || value.Contains(',', StringComparison.Ordinal))
                {
                    return property.Name;
                }
            }
        }

        return null;
    }

    private static bool IsEnumField(string name)
        => name.Equals("type", StringComparison.OrdinalIgnoreCase)
            || name.Equals("privilege", StringComparison.OrdinalIgnoreCase)
            || name.Equals("defaultAppState", StringComparison.OrdinalIgnoreCase)
            || name.Equals("state", StringComparison.OrdinalIgnoreCase);
}
