using System.Text.Json;
using System.Text.Json.Serialization;
using ApiTokens.Auditing;

namespace ApiTokens.Stores.EntityFrameworkCore;

internal static class AuditMapping
{
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
