using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The statements of RecordUsageAsync (R35), built once per model from its real table and column
// names: counts are added to the rows already there, so nodes' counts sum up.
internal sealed class UsageSql
{
    private static readonly ConditionalWeakTable<IModel, UsageSql> s_cache = [];

    private readonly string _insert;
    private readonly string _conflict;
    private readonly string _tokens;
    private readonly string _tokenId;
    private readonly string _sqlite;

    private UsageSql(string insert, string conflict, string tokens, string tokenId)
    {
        _insert = insert;
        _conflict = conflict;
        _tokens = tokens;
        _tokenId = tokenId;
        _sqlite = $"{insert} SELECT column1, column2, column3, column4, column5, column6, column7 FROM (SELECT {SqliteJsonRows.Columns(7)} FROM json_each({{0}})) AS v " +
                  $"WHERE EXISTS (SELECT 1 FROM {tokens} WHERE {tokenId} = v.column1) {conflict}";
    }

    public static UsageSql For(DbContext context) => s_cache.GetValue(context.Model, _ => Build(context));

    public (string Command, object[] Parameters) Record(IReadOnlyList<ApiTokenUsageCount> counts, bool arrays)
    {
        if (arrays)
        {
            // PostgreSQL: the whole batch as seven arrays, one statement.
            var command = $"{_insert} SELECT u.t, u.a, u.d, u.al, u.p, u.de, u.l FROM unnest({{0}}, {{1}}, {{2}}, {{3}}, {{4}}, {{5}}, {{6}}) AS u(t, a, d, al, p, de, l) " +
                          $"WHERE EXISTS (SELECT 1 FROM {_tokens} WHERE {_tokenId} = u.t) {_conflict}";
            return (command, [
                counts.Select(c => c.TokenId).ToArray(),
                counts.Select(c => c.AppName).ToArray(),
                counts.Select(c => c.Day).ToArray(),
                counts.Select(c => c.Allowed).ToArray(),
                counts.Select(c => c.Pending).ToArray(),
                counts.Select(c => c.Denied).ToArray(),
                counts.Select(c => c.Limited).ToArray()]);
        }

        // SQLite: the whole batch as one statement over one JSON text parameter (SqliteJsonRows), its
        // rows named column1…column7 as a VALUES list names them. One statement, not one per count:
        // Microsoft.Data.Sqlite binds every parameter of a command to each statement in it, which made
        // 500 upserts per command cost 1.2 GB and 2.4 s per 10,000 counts (benchmarks/README.md,
        // section 14); and one parameter, not seven per count (section 18).
        return (_sqlite, [SqliteJsonRows.Counts(counts)]);
    }

    private static UsageSql Build(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var usageType = context.Model.FindEntityType(typeof(ApiTokenUsageEntity))!;
        var tokenType = context.Model.FindEntityType(typeof(ApiTokenEntity))!;
        var usageTable = StoreObjectIdentifier.Table(usageType.GetTableName()!, usageType.GetSchema());
        var tokenTable = StoreObjectIdentifier.Table(tokenType.GetTableName()!, tokenType.GetSchema());
        string Column(IEntityType type, StoreObjectIdentifier table, string property) => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);

        var usage = sql.DelimitIdentifier(usageTable.Name, usageTable.Schema);
        var token = Column(usageType, usageTable, nameof(ApiTokenUsageEntity.TokenId));
        var app = Column(usageType, usageTable, nameof(ApiTokenUsageEntity.AppName));
        var day = Column(usageType, usageTable, nameof(ApiTokenUsageEntity.Day));
        string[] counters = [.. new[] { nameof(ApiTokenUsageEntity.Allowed), nameof(ApiTokenUsageEntity.Pending), nameof(ApiTokenUsageEntity.Denied), nameof(ApiTokenUsageEntity.Limited) }
            .Select(p => Column(usageType, usageTable, p))];
        var insert = $"INSERT INTO {usage} ({token}, {app}, {day}, {string.Join(", ", counters)})";
        // The existing row is named by its table alone (PostgreSQL refuses a schema there).
        var existing = sql.DelimitIdentifier(usageTable.Name);
        var conflict = $"ON CONFLICT ({token}, {app}, {day}) DO UPDATE SET " + string.Join(", ", counters.Select(c => $"{c} = {existing}.{c} + excluded.{c}"));
        return new UsageSql(insert, conflict, sql.DelimitIdentifier(tokenTable.Name, tokenTable.Schema), Column(tokenType, tokenTable, nameof(ApiTokenEntity.Id)));
    }
}
