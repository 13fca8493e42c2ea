using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The claim of the outbox, built once per model from its real table and column names: one statement
// that picks the due messages and moves them to the end of their lease. On PostgreSQL the rows are
// locked with SKIP LOCKED, so concurrent claimers on other nodes take other messages instead of
// waiting; SQLite has one writer at a time, so the statement alone is atomic.
internal sealed class OutboxSql
{
    private static readonly ConditionalWeakTable<IModel, OutboxSql> s_cache = [];

    private readonly string _claim;
    private readonly string _claimLocked;

    private OutboxSql(string claim, string claimLocked)
    {
        _claim = claim;
        _claimLocked = claimLocked;
    }

    public static OutboxSql For(DbContext context) => s_cache.GetValue(context.Model, _ => Build(context));

    // Parameters: {0} the end of the lease, {1} the kind, {2} now, {3} the most to claim.
    public string Claim(bool postgres) => postgres ? _claimLocked : _claim;

    private static OutboxSql Build(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var type = context.Model.FindEntityType(typeof(ApiTokenOutboxEntity))!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(type.FindProperty(property)!.GetColumnName(table)!);

        var outbox = sql.DelimitIdentifier(table.Name, table.Schema);
        var id = Column(nameof(ApiTokenOutboxEntity.Id));
        var kind = Column(nameof(ApiTokenOutboxEntity.Kind));
        var next = Column(nameof(ApiTokenOutboxEntity.NextAttemptAt));
        var created = Column(nameof(ApiTokenOutboxEntity.CreatedAt));
        var attempts = Column(nameof(ApiTokenOutboxEntity.Attempts));
        var due = $"SELECT {id} FROM {outbox} WHERE {kind} = {{1}} AND {next} <= {{2}} ORDER BY {next}, {created} LIMIT {{3}}";
        var update = $"UPDATE {outbox} SET {next} = {{0}}, {attempts} = {attempts} + 1 WHERE {id} IN ";
        return new OutboxSql(
            claim: $"{update}({due}) RETURNING *",
            claimLocked: $"{update}({due} FOR UPDATE SKIP LOCKED) RETURNING *");
    }
}
