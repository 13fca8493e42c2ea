using System.Buffers;
using System.Globalization;
using System.Text;

namespace ApiTokens;

// What text a person reads back from a token may hold (R11, R29). Anything that can hide what the
// text says is refused: control characters, invisible formatting characters (Cf: bidirectional
// overrides such as U+202E, zero-width characters such as U+200B), line and paragraph separators
// (U+2028, U+2029) and unpaired surrogates. A leaked token must not be able to present an app name
// that looks like a trusted one, and no store may see a NUL (PostgreSQL refuses it).
internal static class TextRules
{
    public static bool IsValidDescription(ReadOnlySpan<char> description) => IsVisibleText(description, allowTabAndNewline: true);

    public static bool IsVisibleText(ReadOnlySpan<char> text, bool allowTabAndNewline)
    {
        // The common case, ASCII, needs no category lookup: only control characters are refused.
        var i = 0;
        for (; i < text.Length && char.IsAscii(text[i]); i++)
        {
            if (char.IsControl(text[i]) && !(allowTabAndNewline && text[i] is '\t' or '\n'))
            {
                return false;
            }
        }

        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            if (rune.IsAscii)
            {
                if (Rune.IsControl(rune) && !(allowTabAndNewline && rune.Value is '\t' or '\n'))
                {
                    return false;
                }
            }
            else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Surrogate)
            {
                return false;
            }

            i += consumed;
        }

        return true;
    }
}
