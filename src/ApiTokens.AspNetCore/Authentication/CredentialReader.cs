using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ApiTokens.AspNetCore;

internal enum CredentialStatus
{
    None,
    Present,
    BadToken,
    BadApp,
}

// Reads SPEC §3's three credential forms, in order: the token header (+ app header);
// Authorization: Basic base64(app:secret); Authorization: Bearer secret (+ app header).
// Never throws for bad input: anything malformed is BadToken/BadApp.
internal static class CredentialReader
{
    private const string BasicPrefix = "Basic ";
    private const string BearerPrefix = "Bearer ";

    public static CredentialStatus Read(HttpRequest request, ApiTokenAuthenticationOptions options, out string? secret, out string? appName)
    {
        secret = null;
        appName = null;
        var headers = request.Headers;

        var token = headers[options.TokenHeaderName];
        if (token.Count > 0 && !(token.Count == 1 && string.IsNullOrEmpty(token[0])))
        {
            if (token.Count != 1 || token[0]!.Length > ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                return CredentialStatus.BadToken;
            }

            secret = token[0];
            return ReadAppHeader(headers, options, out appName);
        }

        var authorization = headers[HeaderNames.Authorization];
        if (authorization.Count == 0 || (authorization.Count == 1 && string.IsNullOrEmpty(authorization[0])))
        {
            return CredentialStatus.None;
        }

        if (authorization.Count != 1)
        {
            return CredentialStatus.BadToken;
        }

        var value = authorization[0]!;
        if (options.AllowBasicAuthorization && value.StartsWith(BasicPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (value.Length > ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                return CredentialStatus.BadToken;
            }

            return ReadBasic(value.AsSpan(BasicPrefix.Length).Trim(), out secret, out appName);
        }

        if (options.AllowBearerAuthorization && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (value.Length > ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                return CredentialStatus.BadToken;
            }

            secret = value.AsSpan(BearerPrefix.Length).Trim().ToString();
            if (secret.Length == 0)
            {
                return CredentialStatus.BadToken;
            }

            return ReadAppHeader(headers, options, out appName);
        }

        // Another scheme's credentials (Negotiate, a JWT meant for another handler, ...): not ours.
        return CredentialStatus.None;
    }

    private static CredentialStatus ReadAppHeader(IHeaderDictionary headers, ApiTokenAuthenticationOptions options, out string? appName)
    {
        appName = null;
        var app = headers[options.AppNameHeaderName];
        if (app.Count == 0)
        {
            appName = options.DefaultAppName;
            return appName is null ? CredentialStatus.BadApp : CredentialStatus.Present;
        }

        if (app.Count != 1 || !ApiTokenValidator.IsValidAppName(app[0]))
        {
            return CredentialStatus.BadApp;
        }

        appName = app[0];
        return CredentialStatus.Present;
    }

    private static CredentialStatus ReadBasic(ReadOnlySpan<char> encoded, out string? secret, out string? appName)
    {
        secret = null;
        appName = null;
        byte[]? rented = null;
        var buffer = encoded.Length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
            {
                return CredentialStatus.BadToken;
            }

            var decoded = buffer[..length];
            var colon = decoded.IndexOf((byte)':');
            if (colon < 0 || !System.Text.Unicode.Utf8.IsValid(decoded))
            {
                return CredentialStatus.BadToken;
            }

            var secretBytes = decoded[(colon + 1)..];
            if (secretBytes.IsEmpty)
            {
                return CredentialStatus.BadToken;
            }

            secret = Encoding.UTF8.GetString(secretBytes);
            if (colon == 0)
            {
                // No user name: the app is missing (the default app name does not apply to Basic,
                // whose user-name field is where the app name belongs).
                return CredentialStatus.BadApp;
            }

            var app = Encoding.UTF8.GetString(decoded[..colon]);
            if (!ApiTokenValidator.IsValidAppName(app))
            {
                return CredentialStatus.BadApp;
            }

            appName = app;
            return CredentialStatus.Present;
        }
        finally
        {
            buffer.Clear();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
