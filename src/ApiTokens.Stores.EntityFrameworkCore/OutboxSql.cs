using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApiTokens.Stores.EntityFrameworkCore;

// The claims of the outbox and of webhook deliveries, built once per model from their real table and
// column names: one statement that picks what is due and moves it to the end of its lease. On PostgreSQL the rows are
// locked with SKIP LOCKED, so concurrent claimers on other nodes take other messages instead of
// waiting; SQLite has one writer at a time, so the statement alone is atomic.
internal sealed class OutboxSql
{
    private static readonly ConditionalWeakTable<IModel, OutboxSql> s_cache = [];

    private readonly string _claim;
    private readonly string _claimLocked;
    private readonly string _claimDeliveries;
    private readonly string _claimDeliveriesLocked;

    private OutboxSql(string claim, string claimLocked, string claimDeliveries, string claimDeliveriesLocked)
    {
        _claim = claim;
        _claimLocked = claimLocked;
        _claimDeliveries = claimDeliveries;
        _claimDeliveriesLocked = claimDeliveriesLocked;
    }

    public static OutboxSql For(DbContext context) => s_cache.GetValue(context.Model, _ => Build(context));

    // Parameters: {0} the end of the lease, {1} the kind, {2} now, {3} the most to claim.
    public string Claim(bool postgres) => postgres ? _claimLocked : _claim;

    // Pending deliveries due. Parameters: {0} the end of the lease, {1} now, {2} the most to claim.
    public string ClaimDeliveries(bool postgres) => postgres ? _claimDeliveriesLocked : _claimDeliveries;

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
        var deliveryType = context.Model.FindEntityType(typeof(ApiTokenWebhookDeliveryEntity))!;
        var deliveryTable = StoreObjectIdentifier.Table(deliveryType.GetTableName()!, deliveryType.GetSchema());
        string DeliveryColumn(string property) => sql.DelimitIdentifier(deliveryType.FindProperty(property)!.GetColumnName(deliveryTable)!);
        var deliveries = sql.DelimitIdentifier(deliveryTable.Name, deliveryTable.Schema);
        var sequence = DeliveryColumn(nameof(ApiTokenWebhookDeliveryEntity.Sequence));
        var status = DeliveryColumn(nameof(ApiTokenWebhookDeliveryEntity.Status));
        var deliveryNext = DeliveryColumn(nameof(ApiTokenWebhookDeliveryEntity.NextAttemptAt));
        var dueDeliveries = $"SELECT {sequence} FROM {deliveries} WHERE {status} = 0 AND {deliveryNext} <= {{1}} ORDER BY {deliveryNext}, {sequence} LIMIT {{2}}";
        var updateDeliveries = $"UPDATE {deliveries} SET {deliveryNext} = {{0}} WHERE {sequence} IN ";
        return new OutboxSql(
            claim: $"{update}({due}) RETURNING *",
            claimLocked: $"{update}({due} FOR UPDATE SKIP LOCKED) RETURNING *",
            claimDeliveries: $"{updateDeliveries}({dueDeliveries}) RETURNING *",
            claimDeliveriesLocked: $"{updateDeliveries}({dueDeliveries} FOR UPDATE SKIP LOCKED) RETURNING *");
    }
}
