using ApiTokens.Webhooks;

namespace ApiTokens.Stores.EntityFrameworkCore;

internal static class WebhookMapping
{
    public static ApiTokenWebhook ToWebhook(ApiTokenWebhookEntity entity) => new()
    {
        Id = entity.Id,
        AccountId = entity.AccountId,
        Url = entity.Url,
        Events = entity.Events?.Split(',', StringSplitOptions.RemoveEmptyEntries),
        Description = entity.Description,
        Enabled = entity.Enabled,
        DisabledReason = entity.DisabledReason,
        ProtectedSecret = entity.ProtectedSecret,
        ProtectedPreviousSecret = entity.ProtectedPreviousSecret,
        PreviousSecretExpiresAt = EntityMapping.Normalize(entity.PreviousSecretExpiresAt),
        FailingSince = EntityMapping.Normalize(entity.FailingSince),
        CreatedBy = entity.CreatedBy,
        CreatedAt = EntityMapping.Normalize(entity.CreatedAt),
        Version = entity.Version,
    };

    public static void CopyTo(ApiTokenWebhook webhook, ApiTokenWebhookEntity entity)
    {
        entity.Url = webhook.Url;
        entity.Events = webhook.Events is null ? null : string.Join(',', webhook.Events);
        entity.Description = webhook.Description;
        entity.Enabled = webhook.Enabled;
        entity.DisabledReason = webhook.DisabledReason;
        entity.ProtectedSecret = webhook.ProtectedSecret;
        entity.ProtectedPreviousSecret = webhook.ProtectedPreviousSecret;
        entity.PreviousSecretExpiresAt = EntityMapping.Normalize(webhook.PreviousSecretExpiresAt);
        entity.FailingSince = EntityMapping.Normalize(webhook.FailingSince);
    }

    public static ApiTokenWebhookDelivery ToDelivery(ApiTokenWebhookDeliveryEntity entity) => new()
    {
        Id = entity.Id,
        WebhookId = entity.WebhookId,
        AccountId = entity.AccountId,
        EventId = entity.EventId,
        Type = entity.Type,
        Payload = entity.Payload,
        CreatedAt = EntityMapping.Normalize(entity.CreatedAt),
        Attempts = entity.Attempts,
        Status = (ApiTokenWebhookDeliveryStatus)entity.Status,
        LastStatusCode = entity.LastStatusCode,
        NextAttemptAt = EntityMapping.Normalize(entity.NextAttemptAt),
        LastAttemptAt = EntityMapping.Normalize(entity.LastAttemptAt),
        Sequence = entity.Sequence,
    };
}
