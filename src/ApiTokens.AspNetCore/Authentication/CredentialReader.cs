using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ApiTokens.AspNetCore.Authentication;

// Reads The wire protocol's three credential forms, in order: the token header (+ app header);
// Authorization: Basic base64(app:secret); Authorization: Bearer secret (+ app header).
// It only reads: judging the values (format, checksum, app name rules) is the validator's. A value
// that cannot be read at all (repeated headers, over-long, undecodable Basic) is passed on as
// null, which the validator refuses. Never throws for bad input.
internal static class CredentialReader
{
    private const string BasicPrefix = "Basic ";
    private const string BearerPrefix = "Bearer ";

    // False when the request carries no credentials of this scheme (NoResult).
    public static bool TryRead(HttpRequest request, ApiTokenAuthenticationOptions options, out string? secret, out string? appName)
    {
        secret = null;
        appName = null;
        var headers = request.Headers;

        var token = headers[options.TokenHeaderName];
        if (token.Count > 0 && !(token.Count == 1 && string.IsNullOrEmpty(token[0])))
        {
            if (token.Count == 1 && token[0]!.Length <= ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                secret = token[0];
                appName = ReadAppHeader(headers, options);
            }

            return true;
        }

        var authorization = headers[HeaderNames.Authorization];
        if (authorization.Count == 0 || (authorization.Count == 1 && string.IsNullOrEmpty(authorization[0])))
        {
            return false;
        }

        if (authorization.Count != 1)
        {
            return true;
        }

        var value = authorization[0]!;
        if (options.AllowBasicAuthorization && value.StartsWith(BasicPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (value.Length <= ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                ReadBasic(value.AsSpan(BasicPrefix.Length).Trim(), out secret, out appName);
            }

            return true;
        }

        if (options.AllowBearerAuthorization && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (value.Length <= ApiTokenAuthenticationOptions.MaxCredentialLength)
            {
                secret = value.AsSpan(BearerPrefix.Length).Trim().ToString();
                appName = ReadAppHeader(headers, options);
            }

            return true;
        }

        // Another scheme's credentials (Negotiate, a JWT meant for another handler, ...): not ours.
        return false;
    }

    // The app name header, else the configured default; null when it is missing or repeated.
    private static string? ReadAppHeader(IHeaderDictionary headers, ApiTokenAuthenticationOptions options)
    {
        var app = headers[options.AppNameHeaderName];
        return app.Count switch
        {
            0 => options.DefaultAppName,
            1 => app[0],
            _ => null,
        };
    }

    private static void ReadBasic(ReadOnlySpan<char> encoded, out string? secret, out string? appName)
    {
        secret = null;
        appName = null;
        byte[]? rented = null;
        var buffer = encoded.Length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(encoded.Length));
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, buffer, out var length))
            {
                return;
            }

            var decoded = buffer[..length];
            var colon = decoded.IndexOf((byte)':');
            if (colon < 0 || colon == decoded.Length - 1 || !System.Text.Unicode.Utf8.IsValid(decoded))
            {
                return;
            }

            secret = Encoding.UTF8.GetString(decoded[(colon + 1)..]);

            // No user name: the app is missing (the default app name does not apply to Basic, whose
            // user-name field is where the app name belongs).
            appName = colon == 0 ? null : Encoding.UTF8.GetString(decoded[..colon]);
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
