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
    public static string Uses(IReadOnlyList<ApiTokenUse> uses)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, uses.Count * 112));
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            Span<char> time = stackalloc char[40];
            json.WriteStartArray();
            foreach (var use in uses)
            {
                json.WriteStartArray();
                json.WriteStringValue(use.TokenId);
                json.WriteStringValue(use.AppName);
                EntityMapping.Normalize(use.UsedAt).TryFormat(time, out var written, TimeFormat, CultureInfo.InvariantCulture);
                json.WriteStringValue(time[..written]);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // [[tokenId, appName, day, allowed, pending, denied, limited], …]
    public static string Counts(IReadOnlyList<ApiTokenUsageCount> counts)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, counts.Count * 112));
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            Span<char> day = stackalloc char[10];
            json.WriteStartArray();
            foreach (var count in counts)
            {
                json.WriteStartArray();
                json.WriteStringValue(count.TokenId);
                json.WriteStringValue(count.AppName);
                count.Day.TryFormat(day, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                json.WriteStringValue(day[..written]);
                json.WriteNumberValue(count.Allowed);
                json.WriteNumberValue(count.Pending);
                json.WriteNumberValue(count.Denied);
                json.WriteNumberValue(count.Limited);
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
