using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Management;
using ApiTokens.Stores;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ApiTokens.AspNetCore.Endpoints;

// the management API (docs/management-api.md). Each endpoint: resolve the actor, read the body, one manager call, a typed result.
// No rules here: the manager decides, this file only translates.
internal static class ApiTokenEndpoints
{
    private const long MaxBodyBytes = 16 * 1024;

    // Longer than any allowed grace period (365 days), short enough for TimeSpan.
    private const long MaxGraceSeconds = 366L * 24 * 60 * 60;

    public static async Task<Results<JsonHttpResult<ApiTokenResponse[]>, ProblemHttpResult>> ListAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (ReadPaging(context) is not ({ } limit, var cursor, null))
        {
            return ReadPaging(context).Problem!;
        }

        const string list = "tokens";
        if (cursor is not null && !PageCursors.TryOpen(context, actor.AccountId, list, cursor, out cursor))
        {
            return InvalidCursor(context);
        }

        var result = await manager.ListAsync(actor, cursor, limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var page = result.Value;
        var tokens = new ApiTokenResponse[page.Items.Count];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = ApiTokenResponse.From(page.Items[i]);
        }

        LinkNext(context, limit, page.NextCursor is { } next ? PageCursors.Seal(context, actor.AccountId, list, next) : null);
        return TypedResults.Json(tokens, ApiTokenJsonContext.Default.ApiTokenResponseArray);
    }

    // GET /events (the account's, admins) and GET /{id}/events (a token's, R5), paged like lists (R24).
    public static Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListAccountEventsAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
        => ListEventsAsync(context, null, manager, resolver);

    public static Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListTokenEventsAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
        => ListEventsAsync(context, id, manager, resolver);

    private static async Task<Results<JsonHttpResult<ApiTokenEventResponse[]>, ProblemHttpResult>> ListEventsAsync(HttpContext context, string? id, ApiTokenManager manager, IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (ReadPaging(context) is not ({ } limit, var cursor, null))
        {
            return ReadPaging(context).Problem!;
        }

        // A token's events and the account's are lists of their own: a cursor serves only its list.
        var list = id is null ? "events" : "events:" + id;
        if (cursor is not null && !PageCursors.TryOpen(context, actor.AccountId, list, cursor, out cursor))
        {
            return InvalidCursor(context);
        }

        var result = await manager.ListEventsAsync(actor, id, cursor, limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var page = result.Value;
        var events = new ApiTokenEventResponse[page.Items.Count];
        for (var i = 0; i < events.Length; i++)
        {
            events[i] = ApiTokenEventResponse.From(page.Items[i]);
        }

        LinkNext(context, limit, page.NextCursor is { } next ? PageCursors.Seal(context, actor.AccountId, list, next) : null);
        return TypedResults.Json(events, ApiTokenJsonContext.Default.ApiTokenEventResponseArray);
    }

    private static (int? Limit, string? Cursor, ProblemHttpResult? Problem) ReadPaging(HttpContext context)
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

    private static ProblemHttpResult InvalidCursor(HttpContext context)
        => ManagementProblems.InvalidRequest(context, "The 'cursor' is not one this service gave out for this list and account; start again from the first page.");

    private static void LinkNext(HttpContext context, int limit, string? next)
    {
        if (next is not null)
        {
            // RFC 8288: a relative reference, resolved against this request's URL.
            var path = $"{context.Request.PathBase}{context.Request.Path}";
            context.Response.Headers.Link = $"<{path}?limit={limit}&cursor={Uri.EscapeDataString(next)}>; rel=\"next\"";
        }
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> CreateAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.CreateApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Type is not { } type)
        {
            return ManagementProblems.InvalidRequest(context, "The token 'type' is required: 'user' or 'account'.");
        }

        var result = await manager.CreateAsync(
            actor,
            new CreateApiTokenRequest
            {
                Type = type,
                Privilege = body.Privilege,
                DefaultAppState = body.DefaultAppState,
                Description = body.Description,
                ExpiresAt = body.ExpiresAt,
                LifetimeDays = body.LifetimeDays,
                AllowedNetworks = body.AllowedNetworks,
                RateLimit = body.RateLimit?.ToLimit(),
            },
            context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var token = result.Value.Details.Token;
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{Uri.EscapeDataString(token.Id)}";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value.Details, result.Value.Secret), ApiTokenJsonContext.Default.ApiTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> ImportAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.ImportApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Type is not { } type)
        {
            return ManagementProblems.InvalidRequest(context, "The token 'type' is required: 'user' or 'account'.");
        }

        var result = await manager.ImportAsync(
            actor,
            new ImportApiTokenRequest
            {
                Secret = body.Secret,
                SecretSha256 = body.SecretSha256,
                Type = type,
                OwnerId = body.OwnerId,
                Privilege = body.Privilege,
                DefaultAppState = body.DefaultAppState,
                Description = body.Description,
                ExpiresAt = body.ExpiresAt,
                AllowedNetworks = body.AllowedNetworks,
                RateLimit = body.RateLimit?.ToLimit(),
            },
            context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var token = result.Value.Token;
        var collection = context.Request.Path.Value!.TrimEnd('/');
        collection = collection[..collection.LastIndexOf('/')];
        context.Response.Headers.Location = $"{context.Request.PathBase}{collection}/{Uri.EscapeDataString(token.Id)}";
        context.Response.Headers.ETag = ETagOf(token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value), ApiTokenJsonContext.Default.ApiTokenResponse, statusCode: StatusCodes.Status201Created);
    }

    // R32: anyone who finds secrets may end them. The answer is the same whether anything matched,
    // and every request counts as a failure for R27 throttling, so it cannot probe at speed.
    public static async Task<Results<JsonHttpResult<RevokeApiTokensResponse>, ProblemHttpResult>> RevokeAsync(HttpContext context, [FromServices] ApiTokenManager manager, [FromServices] ApiTokenValidator validator, [FromServices] IOptionsMonitor<ApiTokenAuthenticationOptions> schemes)
    {
        var clientKey = schemes.Get(ApiTokenAuthenticationDefaults.AuthenticationScheme).ClientKey?.Invoke(context);
        if (clientKey is not null && !validator.TryCountClientFailure(clientKey, out var retryAfter))
        {
            ApiTokenProblems.SetRetryAfter(context, retryAfter);
            var throttled = ApiTokenFailures.Throttled;
            return ApiTokenProblems.Result(context, throttled.Status, throttled.Code, throttled.Message, throttled.Explanation);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.RevokeApiTokensBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Secrets is not { Length: >= 1 and <= RevokeApiTokensBody.MaxSecrets } secrets
            || secrets.Any(s => string.IsNullOrEmpty(s) || s.Length > ApiTokenAuthenticationOptions.MaxCredentialLength))
        {
            return ManagementProblems.InvalidRequest(context, $"'secrets' is an array of 1 to {RevokeApiTokensBody.MaxSecrets} secrets.");
        }

        await manager.RetireLeakedSecretsAsync([.. secrets.Select(s => new LeakedSecret(s))], RevokeApiTokensBody.Actor, context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new RevokeApiTokensResponse { Received = secrets.Length }, ApiTokenJsonContext.Default.RevokeApiTokensResponse, statusCode: StatusCodes.Status202Accepted);
    }

    // R35: requests per app and day by outcome; ?days=1..90 (30 by default).
    public static async Task<Results<JsonHttpResult<ApiTokenUsageResponse[]>, ProblemHttpResult>> GetUsageAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var days = 30;
        var query = context.Request.Query["days"];
        if (query.Count > 1 || (query.Count == 1 && !int.TryParse(query[0], NumberStyles.None, CultureInfo.InvariantCulture, out days)))
        {
            return ManagementProblems.InvalidRequest(context, "'days' must be a whole number from 1 to 90.");
        }

        var result = await manager.GetUsageAsync(actor, id, days, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var body = result.Value.Select(u => new ApiTokenUsageResponse
        {
            App = u.AppName,
            Day = u.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Allowed = u.Allowed,
            Pending = u.Pending,
            Denied = u.Denied,
            Limited = u.Limited,
        }).ToArray();
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(body, ApiTokenJsonContext.Default.ApiTokenUsageResponseArray);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> GetAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        return ToResult(context, await manager.GetAsync(actor, id, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> UpdateAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.UpdateApiTokenBody);
        if (problem is not null)
        {
            return problem;
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        var request = new UpdateApiTokenRequest
        {
            Privilege = body!.Privilege,
            DefaultAppState = body.DefaultAppState,
            Description = body.Description,
            AllowedNetworks = body.AllowedNetworksSent ? body.AllowedNetworks ?? [] : null,
            RateLimit = body.RateLimit?.ToLimit(),
            RemoveRateLimit = body.RateLimitSent && body.RateLimit is null,
        };
        return ToResult(context, await manager.UpdateAsync(actor, id, request, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> SetAppStateAsync(HttpContext context, string id, string appName, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.SetAppStateBody);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.State is not { } state)
        {
            return ManagementProblems.InvalidRequest(context, "The app 'state' is required: 'allow' or 'deny'.");
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.SetAppStateAsync(actor, id, RawAppName(context, id, appName), state, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> RetireAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.RetireAsync(actor, id, expected, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> RotateAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        // The body is optional: no body rotates with the configured grace period.
        var body = new RotateApiTokenBody();
        if (context.Request.ContentLength is not (null or 0) || context.Request.ContentType is not null)
        {
            var (read, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.RotateApiTokenBody);
            if (problem is not null)
            {
                return problem;
            }

            body = read!;
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        // Out-of-range values (negative, or beyond any grace period) are the manager's to refuse.
        var grace = body.GracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, MaxGraceSeconds)) : (TimeSpan?)null;
        var result = await manager.RotateAsync(actor, id, new RotateApiTokenRequest { GracePeriod = grace, ExpiresAt = body.ExpiresAt }, expected, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ETag = ETagOf(result.Value.Details.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value.Details, result.Value.Secret), ApiTokenJsonContext.Default.ApiTokenResponse);
    }

    public static async Task<Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult>> PromoteAsync(HttpContext context, string id, [FromServices] ApiTokenManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (!TryReadIfMatch(context, out var expected))
        {
            return InvalidIfMatch(context);
        }

        return ToResult(context, await manager.PromoteAsync(actor, id, expected, context.RequestAborted));
    }

    // A failing store answers 503 like the scheme does (R20), never 500 with a stack trace.
    public static async ValueTask<object?> StoreFailureFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ApiTokenStoreException)
        {
            var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>();
            return ApiTokenProblems.StoreUnavailable(context.HttpContext, options.CurrentValue.StoreRetryAfter);
        }
    }

    private static Results<JsonHttpResult<ApiTokenResponse>, ProblemHttpResult> ToResult(HttpContext context, ApiTokenResult<ApiTokenDetails> result)
    {
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.ETag = ETagOf(result.Value.Token);
        return TypedResults.Json(ApiTokenResponse.From(result.Value), ApiTokenJsonContext.Default.ApiTokenResponse);
    }

    // A strong entity tag of the token's version: every change (R19) gives a new one.
    private static string ETagOf(ApiToken token) => string.Create(CultureInfo.InvariantCulture, $"\"{token.Version}\"");

    // If-Match (RFC 9110 §13.1.1): absent or "*" → no precondition; one of our strong tags → that
    // version; any other tag (weak, or not ours) can never match → a version no token has, so the
    // change is refused with 412 after the visibility check (404 stays 404). One tag per request:
    // a list of several is a 400, since the manager checks one version atomically with the write.
    private static bool TryReadIfMatch(HttpContext context, out long? expected)
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

    private static ProblemHttpResult InvalidIfMatch(HttpContext context)
        => ManagementProblems.InvalidRequest(context, "'If-Match' must be \"*\" or one ETag of the token, such as \"3\".");

    // App names may contain '/', which servers keep encoded (%2F) in route values while decoding
    // everything else. Decode the raw path segment exactly once instead of guessing.
    private static string RawAppName(HttpContext context, string id, string routeValue)
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

    private static async Task<(T? Body, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
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
            return (null, ManagementProblems.InvalidRequest(context, $"The body is not valid: check {where} (enums are 'user'/'account', 'admin'/'normal'/'readOnly', 'allow'/'pending'/'deny')."));
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
