using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The lifecycle sweep's candidates (R38, ApiTokenLifecycleQuery.Matches in SQL), built once per model
// from its real table and column names: live tokens expiring soon and not yet warned that they
// expired, or idle (last use, else creation) and not yet warned for that period, or idle past the
// retirement age — a page of ids in id order, on the indexed expires_at and last_used_at. Times are
// compared as the provider stores them (SQLite: the same ISO text for every UTC value).
internal sealed class LifecycleSql
{
    private static readonly ConditionalWeakTable<IModel, LifecycleSql> s_cache = [];

    private LifecycleSql(string candidates, string recentlyUsed)
    {
        Candidates = candidates;
        RecentlyUsed = recentlyUsed;
    }

    // Parameters: {0} now, {1} expiring by, {2} idle since, {3} retire idle since, {4} after id, {5} limit.
    public string Candidates { get; }

    // Parameters: {0} now, {1} limit. Newest use first.
    public string RecentlyUsed { get; }

    public static LifecycleSql For(DbContext context) => s_cache.GetValue(context.Model, _ => Build(context));

    private static LifecycleSql Build(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var type = context.Model.FindEntityType(typeof(ApiTokenEntity))!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);

        var tokens = sql.DelimitIdentifier(table.Name, table.Schema);
        var id = Column(nameof(ApiTokenEntity.Id));
        var retired = Column(nameof(ApiTokenEntity.RetiredAt));
        var expires = Column(nameof(ApiTokenEntity.ExpiresAt));
        var warnedFor = Column(nameof(ApiTokenEntity.ExpiryWarnedFor));
        var warnedThreshold = Column(nameof(ApiTokenEntity.ExpiryWarnedThreshold));
        var unusedSince = Column(nameof(ApiTokenEntity.UnusedWarnedSince));
        var idleStart = $"COALESCE({Column(nameof(ApiTokenEntity.LastUsedAt))}, {Column(nameof(ApiTokenEntity.CreatedAt))})";
        return new LifecycleSql(
            $"SELECT {id} FROM {tokens} WHERE {retired} IS NULL AND {id} > {{4}} AND ("
            + $"({expires} IS NOT NULL AND {expires} <= {{1}} AND NOT ({warnedFor} IS NOT NULL AND {warnedFor} = {expires} AND {warnedThreshold} = 0))"
            + $" OR (({expires} IS NULL OR {expires} > {{0}}) AND ("
            + $"({idleStart} <= {{2}} AND ({unusedSince} IS NULL OR {unusedSince} <> {idleStart})) OR {idleStart} <= {{3}})))"
            + $" ORDER BY {id} LIMIT {{5}}",
            $"SELECT {id} FROM {tokens} WHERE {retired} IS NULL AND {Column(nameof(ApiTokenEntity.LastUsedAt))} IS NOT NULL AND ({expires} IS NULL OR {expires} > {{0}})"
            + $" ORDER BY {Column(nameof(ApiTokenEntity.LastUsedAt))} DESC LIMIT {{1}}");
    }
}
