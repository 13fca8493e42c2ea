using System.Text.Json;
using System.Text.Json.Serialization;
using ApiTokens.Auditing;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

internal static class AuditMapping
{
    // An audit record into the context, and its event's deliveries (R37): one pending delivery per
    // enabled endpoint of the account that receives the type, saved by the same SaveChanges as the
    // change, so both land or neither does.
    public static async Task AddAsync(DbContext context, ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        context.Set<ApiTokenAuditEntity>().Add(ToEntity(record));
        if (record.Event is not { } e)
        {
            return;
        }

        var webhooks = await context.Set<ApiTokenWebhookEntity>().AsNoTracking()
            .Where(w => w.AccountId == record.AccountId && w.Enabled)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var webhook in webhooks)
        {
            if (WebhookMapping.ToWebhook(webhook).Receives(e.Type))
            {
                context.Set<ApiTokenWebhookDeliveryEntity>().Add(new ApiTokenWebhookDeliveryEntity
                {
                    Id = Guid.NewGuid().ToString("N"),
                    WebhookId = webhook.Id,
                    AccountId = webhook.AccountId,
                    EventId = record.Id,
                    Type = e.Type,
                    Payload = e.Payload,
                    CreatedAt = EntityMapping.Normalize(record.At),
                    NextAttemptAt = EntityMapping.Normalize(record.At),
                });
            }
        }
    }

    public static ApiTokenAuditEntity ToEntity(ApiTokenAuditRecord record) => new()
    {
        Id = record.Id,
        At = EntityMapping.Normalize(record.At),
        TokenId = record.TokenId,
        AccountId = record.AccountId,
        Actor = record.Actor,
        Action = record.Action,
        Changes = JsonSerializer.Serialize(record.Changes.Select(c => new ChangeJson(c.Field, c.Old, c.New)).ToList(), AuditJsonContext.Default.ListChangeJson),
    };

    public static ApiTokenAuditRecord ToRecord(ApiTokenAuditEntity entity) => new()
    {
        Id = entity.Id,
        Sequence = entity.Sequence,
        At = EntityMapping.Normalize(entity.At),
        TokenId = entity.TokenId,
        AccountId = entity.AccountId,
        Actor = entity.Actor,
        Action = entity.Action,
        Changes = (JsonSerializer.Deserialize(entity.Changes, AuditJsonContext.Default.ListChangeJson) ?? []).ConvertAll(c => new ApiTokenAuditChange(c.Field, c.Old, c.New)),
    };
}

internal sealed record ChangeJson(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("old")] string? Old,
    [property: JsonPropertyName("new")] string? New);

[JsonSerializable(typeof(List<ChangeJson>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
}
