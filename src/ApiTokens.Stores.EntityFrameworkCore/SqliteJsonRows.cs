using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ApiTokens.Stores.EntityFrameworkCore;

// SQLite: a batch of rows as one JSON text parameter, read back in SQL with json_each and
// json_extract. One parameter instead of one per value: Microsoft.Data.Sqlite makes an object, a name
// and a binding for every parameter, and binds every parameter of a command to each statement in it,
// which cost about 2.5 KB per (token, app) pair of a flush as a VALUES list of parameters
// (benchmarks/README.md, section 18).
internal static class SqliteJsonRows
{
    // How Microsoft.Data.Sqlite and EF Core's SQLite provider write a DateTimeOffset as TEXT, so a
    // time in the JSON compares with the stored ones as text does (both normalized to UTC).
    private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    // Only this store reads the text, and never as HTML: quotes, backslashes and control
    // characters are escaped, nothing else needs to be.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    // [[tokenId, appName, usedAt], …]
    public static string Uses(IReadOnlyList<ApiTokenUse> uses) => Write(uses, static (json, use) =>
    {
        Span<char> time = stackalloc char[40];
        json.WriteStringValue(use.TokenId);
        json.WriteStringValue(use.AppName);
        EntityMapping.Normalize(use.UsedAt).TryFormat(time, out var written, TimeFormat, CultureInfo.InvariantCulture);
        json.WriteStringValue(time[..written]);
    });

    // [[tokenId, appName, day, allowed, pending, denied, limited], …]
    public static string Counts(IReadOnlyList<ApiTokenUsageCount> counts) => Write(counts, static (json, count) =>
    {
        Span<char> day = stackalloc char[10];
        json.WriteStringValue(count.TokenId);
        json.WriteStringValue(count.AppName);
        count.Day.TryFormat(day, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        json.WriteStringValue(day[..written]);
        json.WriteNumberValue(count.Allowed);
        json.WriteNumberValue(count.Pending);
        json.WriteNumberValue(count.Denied);
        json.WriteNumberValue(count.Limited);
    });

    // An array of rows, each an array written by `row`; sized ahead for about 112 bytes a row.
    private static string Write<T>(IReadOnlyList<T> rows, Action<Utf8JsonWriter, T> row)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, rows.Count * 112));
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartArray();
            foreach (var item in rows)
            {
                json.WriteStartArray();
                row(json, item);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The columns of json_each's rows as SQL: json_extract(value, '$[0]') AS column1, … — the names a
    // VALUES list gives its columns.
    public static string Columns(int count)
        => string.Join(", ", Enumerable.Range(0, count).Select(i => $"json_extract(value, '$[{i}]') AS column{i + 1}"));
}
