using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace ApiTokens.Management;

// The opaque cursor of a token list: the (creation time, id) of the last token on the previous
// page, base64url-encoded. It holds nothing a caller may not see (its own page's last token) and is
// validated like any input: anything that does not parse is a 400, never a store query.
internal readonly record struct ListCursor(long CreatedAtTicks, string Id)
{
    private const string Version = "1";
    private const int MaxLength = 128;

    public static string After(ApiToken token)
        => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}.{token.CreatedAt.UtcTicks}.{token.Id}")));

    public static bool TryParse(string cursor, out ListCursor parsed)
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
            || parts[2].Length is 0 or > ApiTokenOptions.MaxTokenIdLength || !Ascii.IsValid(parts[2]))
        {
            return false;
        }

        parsed = new ListCursor(ticks, parts[2]);
        return true;
    }

    // Whether the cursor's token comes before this one in list order (creation time, then id).
    public bool IsBefore(ApiToken token)
    {
        var byTime = CreatedAtTicks.CompareTo(token.CreatedAt.UtcTicks);
        return byTime != 0 ? byTime < 0 : string.CompareOrdinal(Id, token.Id) < 0;
    }
}
