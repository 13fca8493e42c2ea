using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Gateways;

// R40: RFC 7662 introspection for gateways and services that are not ASP.NET Core. The caller is a
// configured client (HTTP Basic against a SHA-256); the token is judged by the one validation flow and
// its cache, as the scheme judges it — a new app is recorded (R8), uses are counted (R22, R35), the
// client's failures are throttled under its own key (R27) — and anything but an authenticating token
// is exactly {"active": false}. A store that fails answers 503, as the API would: a gateway must not
// take an outage for an answer.
internal static class IntrospectionEndpoint
{
    private static readonly byte[] s_inactive = """{"active":false}"""u8.ToArray();
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptionsMonitor<ApiTokenIntrospectionOptions>>().CurrentValue;
        if (Authenticate(context.Request, options) is not { } clientId)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"introspection\", charset=\"UTF-8\"";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new IntrospectionError("invalid_client"), GatewayJsonContext.Default.IntrospectionError, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await InvalidRequestAsync(context, "The body must be application/x-www-form-urlencoded with token=<secret>.").ConfigureAwait(false);
            return;
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            await InvalidRequestAsync(context, "The form could not be read.").ConfigureAwait(false);
            return;
        }

        if (form["token"] is not { Count: 1 } tokens || string.IsNullOrEmpty(tokens[0]))
        {
            await InvalidRequestAsync(context, "token is required, once.").ConfigureAwait(false);
            return;
        }

        var scheme = services.GetRequiredService<IOptionsMonitor<ApiTokenAuthenticationOptions>>().Get(ApiTokenAuthenticationDefaults.AuthenticationScheme);
        var app = form["app"] is { Count: > 0 } apps ? apps[0] : scheme.DefaultAppName;
        var validator = services.GetRequiredService<ApiTokenValidator>();
        var result = await validator.ValidateAsync(tokens[0], app, "introspection:" + clientId, remoteAddress: null, context.RequestAborted).ConfigureAwait(false);

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        if (result.Status == ApiTokenValidationStatus.StoreUnavailable)
        {
            var core = services.GetRequiredService<IOptionsMonitor<ApiTokenOptions>>().CurrentValue;
            await Http.ApiTokenProblems.StoreUnavailable(context, core.StoreRetryAfter).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        if (result.Status != ApiTokenValidationStatus.Success)
        {
            await context.Response.Body.WriteAsync(s_inactive, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, result.Token!);
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    internal static void Write(Utf8JsonWriter json, ValidatedApiToken token)
    {
        json.WriteStartObject();
        json.WriteBoolean("active", true);
        json.WriteString("token_type", "api_token");
        json.WriteString("jti", token.TokenId);
        json.WriteString("account", token.AccountId);
        json.WriteString("sub", token.OwnerId ?? token.AccountId);
        json.WriteString("client_id", token.AppName);
        json.WriteString("privilege", Authorization.ApiTokenPrivilegeNames.Wire(token.EffectivePrivilege));
        if (token.Scopes.Count > 0)
        {
            json.WriteString("scope", string.Join(' ', token.Scopes));
        }

        json.WriteNumber("iat", token.CreatedAt.ToUnixTimeSeconds());
        if (token.ExpiresAt is { } expires)
        {
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
        }

        json.WriteEndObject();
    }

    // The client's id when its Basic credentials match a configured client; compared in constant time
    // over the SHA-256, and every configured client is compared so the answer's timing names none.
    private static string? Authenticate(HttpRequest request, ApiTokenIntrospectionOptions options)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Length > 2048)
        {
            return null;
        }

        Span<byte> decoded = stackalloc byte[1536];
        if (!Convert.TryFromBase64Chars(header.AsSpan(6).Trim(), decoded, out var length))
        {
            return null;
        }

        string credentials;
        try
        {
            credentials = s_strictUtf8.GetString(decoded[..length]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }

        var id = credentials[..colon];
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(credentials[(colon + 1)..]), hash);
        Span<byte> expected = stackalloc byte[32];
        string? match = null;
        foreach (var client in options.Clients)
        {
            if (Convert.FromHexString(client.SecretSha256, expected, out _, out _) == System.Buffers.OperationStatus.Done
                && CryptographicOperations.FixedTimeEquals(hash, expected)
                && string.Equals(client.ClientId, id, StringComparison.Ordinal))
            {
                match = client.ClientId;
            }
        }

        return match;
    }

    private static Task InvalidRequestAsync(HttpContext context, string description)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new IntrospectionError("invalid_request", description), GatewayJsonContext.Default.IntrospectionError, cancellationToken: context.RequestAborted);
    }
}

internal sealed record IntrospectionError(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? Description = null);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(IntrospectionError))]
internal sealed partial class GatewayJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
