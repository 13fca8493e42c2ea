using System.Buffers.Text;
using System.Globalization;
using System.Text;
using ApiTokens.Stores;

namespace ApiTokens.Management;

// The cursor of a token list as the manager gives it out: the position (creation time, id) of the
// last token of the previous page, base64url-encoded. It holds nothing its caller may not see (its
// own page's last token) and is validated like any input: anything that does not parse is an
// invalid cursor, never a store query. Over HTTP it travels sealed (ApiTokens.AspNetCore protects it
// for the account it was given to), so a client can neither read nor forge one.
internal static class ListCursor
{
    private const string Version = "2";
    private const int MaxLength = 128;

    public static string After(ApiToken token)
        => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}.{token.CreatedAt.UtcTicks}.{token.Id}")));

    public static bool TryParse(string cursor, out ApiTokenListPosition parsed)
    {
        parsed = default;
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor))
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split('.');
        if (parts.Length != 3 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || parts[2].Length is 0 or > ApiTokenOptions.MaxTokenIdLength || !Ascii.IsValid(parts[2]))
        {
            return false;
        }

        parsed = new ApiTokenListPosition(new DateTimeOffset(ticks, TimeSpan.Zero), parts[2]);
        return true;
    }
}
