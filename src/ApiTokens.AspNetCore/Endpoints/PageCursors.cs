using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Endpoints;

// The cursors of paged lists as clients see them: the manager's cursor sealed with ASP.NET Core Data
// Protection (authenticated encryption) for one account and one list. A client can neither read one
// (the events cursor is a position in a sequence every account shares, and must not tell one
// account how busy the others are) nor forge one, nor use one given to another account or for
// another list: each of those is a 400, never a store query (R28, R29).
//
// Several nodes accept each other's cursors when they share a Data Protection key ring, as they
// must for the host's sign-in cookies anyway (ASP.NET Core's key-ring guidance; nodes on one machine
// share the default key folder).
internal static class PageCursors
{
    private const string Purpose = "ApiTokens.PageCursor.v1";
    private const int MaxSealedLength = 1024;

    public static string Seal(HttpContext context, string accountId, string list, string cursor)
        => Protector(context).Protect(string.Join('\n', accountId, list, cursor));

    public static bool TryOpen(HttpContext context, string accountId, string list, string sealedCursor, out string cursor)
    {
        cursor = string.Empty;
        if (sealedCursor.Length is 0 or > MaxSealedLength)
        {
            return false;
        }

        string plain;
        try
        {
            plain = Protector(context).Unprotect(sealedCursor);
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = plain.Split('\n', 3);
        if (parts.Length != 3 || !string.Equals(parts[0], accountId, StringComparison.Ordinal) || !string.Equals(parts[1], list, StringComparison.Ordinal))
        {
            return false;
        }

        cursor = parts[2];
        return true;
    }

    private static IDataProtector Protector(HttpContext context)
        => context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
}
