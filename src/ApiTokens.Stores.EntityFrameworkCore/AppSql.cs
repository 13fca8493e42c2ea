using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The statements of RecordAppAsync and RecordUsesAsync, built once per model from its real table
// and column names. Internal for the benchmarks (LastUseFlushBenchmarks and FlushBenchmarks run
// the earlier shapes beside the current one).
internal sealed record AppSql(string Lock, string Insert, string Bump, string AppUsed, string TokenUsed, string UsedSet, string UsedValuesApps, string UsedValuesTokens, string UsedJson, string PageAccount, string PageOwner, string PageAfter, string PageOrder)
{
    private static readonly ConditionalWeakTable<IModel, AppSql> s_cache = [];

    public static AppSql For(DbContext context)
        => s_cache.GetValue(context.Model, _ => Build(context));

    private static AppSql Build(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var tokenType = context.Model.FindEntityType(typeof(ApiTokenEntity))!;
        var appType = context.Model.FindEntityType(typeof(ApiTokenAppEntity))!;
        var tokenTable = StoreObjectIdentifier.Table(tokenType.GetTableName()!, tokenType.GetSchema());
        var appTable = StoreObjectIdentifier.Table(appType.GetTableName()!, appType.GetSchema());
        string Column(IEntityType type, StoreObjectIdentifier table, string property)
            => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);

        var tokens = sql.DelimitIdentifier(tokenTable.Name, tokenTable.Schema);
        var apps = sql.DelimitIdentifier(appTable.Name, appTable.Schema);
        var id = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Id));
        var version = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Version));
        var appToken = Column(appType, appTable, nameof(ApiTokenAppEntity.TokenId));
        var name = Column(appType, appTable, nameof(ApiTokenAppEntity.Name));
        var state = Column(appType, appTable, nameof(ApiTokenAppEntity.State));
        var firstSeen = Column(appType, appTable, nameof(ApiTokenAppEntity.FirstSeenAt));
        var appLastUsed = Column(appType, appTable, nameof(ApiTokenAppEntity.LastUsedAt));
        var tokenLastUsed = Column(tokenType, tokenTable, nameof(ApiTokenEntity.LastUsedAt));
        var account = Column(tokenType, tokenTable, nameof(ApiTokenEntity.AccountId));
        var owner = Column(tokenType, tokenTable, nameof(ApiTokenEntity.OwnerId));
        var type = Column(tokenType, tokenTable, nameof(ApiTokenEntity.Type));
        var createdAt = Column(tokenType, tokenTable, nameof(ApiTokenEntity.CreatedAt));
        var usedJson = $"WITH u(token_id, app_name, used_at) AS (SELECT {SqliteJsonRows.Columns(3)} FROM json_each({{0}})) ";


        return new AppSql(
            Lock: $"UPDATE {tokens} SET {version} = {version} WHERE {id} = {{0}}",
            Insert: $"INSERT INTO {apps} ({appToken}, {name}, {state}, {firstSeen}) SELECT {{0}}, {{1}}, {{2}}, {{3}} " +
                    $"WHERE (SELECT COUNT(*) FROM {apps} WHERE {appToken} = {{4}}) < {{5}} ON CONFLICT ({appToken}, {name}) DO NOTHING",
            Bump: $"UPDATE {tokens} SET {version} = {version} + 1 WHERE {id} = {{0}}",
            AppUsed: $"UPDATE {apps} SET {appLastUsed} = {{0}} WHERE {appToken} = {{1}} AND {name} = {{2}} AND ({appLastUsed} IS NULL OR {appLastUsed} < {{0}});",
            TokenUsed: $"UPDATE {tokens} SET {tokenLastUsed} = (SELECT MAX({appLastUsed}) FROM {apps} WHERE {appToken} = {{0}}) WHERE {id} = {{0}};",
            UsedSet: $"UPDATE {apps} AS a SET {appLastUsed} = u.used_at FROM unnest({{0}}::text[], {{1}}::text[], {{2}}::timestamptz[]) AS u(token_id, app_name, used_at) " +
                     $"WHERE a.{appToken} = u.token_id AND a.{name} = u.app_name AND (a.{appLastUsed} IS NULL OR a.{appLastUsed} < u.used_at);\n" +
                     $"UPDATE {tokens} AS t SET {tokenLastUsed} = (SELECT MAX(a.{appLastUsed}) FROM {apps} AS a WHERE a.{appToken} = t.{id}) WHERE t.{id} = ANY({{3}});",
            // SQLite: the batch as a VALUES list named u(token_id, app_name, used_at), written once and
            // used by both statements (UsesAsValues).
            UsedValuesApps: $"UPDATE {apps} AS a SET {appLastUsed} = u.used_at FROM u WHERE a.{appToken} = u.token_id AND a.{name} = u.app_name AND (a.{appLastUsed} IS NULL OR a.{appLastUsed} < u.used_at);",
            UsedValuesTokens: $"UPDATE {tokens} SET {tokenLastUsed} = (SELECT MAX(a.{appLastUsed}) FROM {apps} AS a WHERE a.{appToken} = {tokens}.{id}) WHERE {id} IN (SELECT token_id FROM u);",
            // SQLite: the batch as one JSON parameter, named u(token_id, app_name, used_at) the same way.
            UsedJson: $"{usedJson}UPDATE {apps} AS a SET {appLastUsed} = u.used_at FROM u WHERE a.{appToken} = u.token_id AND a.{name} = u.app_name AND (a.{appLastUsed} IS NULL OR a.{appLastUsed} < u.used_at);\n" +
                      $"{usedJson}UPDATE {tokens} SET {tokenLastUsed} = (SELECT MAX(a.{appLastUsed}) FROM {apps} AS a WHERE a.{appToken} = {tokens}.{id}) WHERE {id} IN (SELECT token_id FROM u);",
            PageAccount: $"SELECT * FROM {tokens} WHERE {account} = {{0}}",
            PageOwner: $" AND {type} = {{0}} AND {owner} = {{1}}",
            PageAfter: $" AND ({createdAt} < {{0}} OR ({createdAt} = {{0}} AND {id} < {{1}}))",
            PageOrder: $" ORDER BY {createdAt} DESC, {id} DESC LIMIT {{0}}");
    }

    // A page of ListAsync: newest first, after a position (times compared as stored: normalized UTC).
    public (string Command, object[] Parameters) Page(string accountId, string? ownerId, ApiTokenListPosition? after, int limit)
    {
        var command = new StringBuilder(PageAccount);
        var parameters = new List<object>(6) { accountId };
        if (ownerId is not null)
        {
            Append(command, parameters, PageOwner, (int)TokenType.User, ownerId);
        }

        if (after is { } position)
        {
            Append(command, parameters, PageAfter, EntityMapping.Normalize(position.CreatedAt), position.Id);
        }

        Append(command, parameters, PageOrder, limit);
        return (command.ToString(), parameters.ToArray());
    }

    // SQLite's previous shape, kept to measure UsesAsJson against: a batch of uses as two statements
    // over one VALUES list — the apps' last uses, then the tokens' (each its latest app's). Times only
    // move forward (SQLite compares its ISO-8601 UTC text, which orders like the time). Two
    // statements, not two per use: Microsoft.Data.Sqlite binds every parameter of a command to each
    // statement in it, so the statement-per-use shape (Uses, kept for the benchmarks) allocated about
    // 100 KB per (token, app) pair of a 500-use batch (benchmarks/README.md, section 18).
    public (string Command, object[] Parameters) UsesAsValues(IReadOnlyList<ApiTokenUse> uses)
    {
        var values = new StringBuilder(uses.Count * 24);
        var parameters = new object[uses.Count * 3];
        for (var i = 0; i < uses.Count; i++)
        {
            var n = i * 3;
            values.Append(i == 0 ? "(" : ", (")
                .Append('{').Append(n.ToString(CultureInfo.InvariantCulture)).Append("}, {")
                .Append((n + 1).ToString(CultureInfo.InvariantCulture)).Append("}, {")
                .Append((n + 2).ToString(CultureInfo.InvariantCulture)).Append("})");
            parameters[n] = uses[i].TokenId;
            parameters[n + 1] = uses[i].AppName;
            parameters[n + 2] = EntityMapping.Normalize(uses[i].UsedAt);
        }

        var with = "WITH u(token_id, app_name, used_at) AS (VALUES " + values + ") ";
        return (with + UsedValuesApps + "\n" + with + UsedValuesTokens, parameters);
    }

    // SQLite: the batch as the two statements of UsedJson over one JSON text parameter (SqliteJsonRows):
    // one parameter to make and bind, where the VALUES list above made three per use.
    public (string Command, object[] Parameters) UsesAsJson(IReadOnlyList<ApiTokenUse> uses)
        => (UsedJson, [SqliteJsonRows.Uses(uses)]);

    // The first SQLite shape, a statement per app and one per token, kept to measure the above against.
    public (string Command, object[] Parameters) Uses(IReadOnlyList<ApiTokenUse> uses)
    {
        var command = new StringBuilder();
        var parameters = new List<object>(uses.Count * 4);
        var tokenIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var use in uses)
        {
            Append(command, parameters, AppUsed, EntityMapping.Normalize(use.UsedAt), use.TokenId, use.AppName);
            tokenIds.Add(use.TokenId);
        }

        foreach (var tokenId in tokenIds)
        {
            Append(command, parameters, TokenUsed, tokenId);
        }

        return (command.ToString(), parameters.ToArray());
    }

    // PostgreSQL: the same batch as two set-based statements over arrays (one per table), instead
    // of a statement per use: a minute's flush of thousands of uses is parsed, planned and run
    // twice, not thousands of times (the flush made one slow 5-second slice a minute under load).
    public (string Command, object[] Parameters) UsesAsArrays(IReadOnlyList<ApiTokenUse> uses)
    {
        var tokenIds = new string[uses.Count];
        var appNames = new string[uses.Count];
        var times = new DateTimeOffset[uses.Count];
        for (var i = 0; i < uses.Count; i++)
        {
            tokenIds[i] = uses[i].TokenId;
            appNames[i] = uses[i].AppName;
            times[i] = EntityMapping.Normalize(uses[i].UsedAt).ToUniversalTime();
        }

        return (UsedSet, [tokenIds, appNames, times, tokenIds.Distinct(StringComparer.Ordinal).ToArray()]);
    }

    private static void Append(StringBuilder command, List<object> parameters, string statement, params object[] values)
    {
        var names = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            names[i] = "{" + (parameters.Count + i).ToString(CultureInfo.InvariantCulture) + "}";
        }

        // The statement's {0}, {1}, … become this batch's parameter placeholders.
        command.AppendFormat(CultureInfo.InvariantCulture, statement, names).Append('\n');
        parameters.AddRange(values);
    }
}
