using System.Text.Json.Serialization;
using ApiTokens.Webhooks;

namespace ApiTokens.AspNetCore.Webhooks;

/// <summary>The body of <c>POST /api/webhooks</c> (R37).</summary>
public sealed class CreateWebhookBody
{
    /// <summary>The receiver's URL: <c>https</c>, off the service's own network (required).</summary>
    public string? Url { get; set; }

    /// <summary>The event types to receive; absent for all.</summary>
    public string[]? Events { get; set; }

    /// <summary>At most 256 characters.</summary>
    public string? Description { get; set; }
}

/// <summary>The body of <c>PATCH /api/webhooks/{id}</c>; absent properties are not changed.</summary>
public sealed class UpdateWebhookBody
{
    /// <summary>A new URL.</summary>
    public string? Url { get; set; }

    /// <summary>New event types; <c>null</c> for all.</summary>
    public string[]? Events
    {
        get;
        set
        {
            field = value;
            EventsSent = true;
        }
    }

    /// <summary>Enables or disables the endpoint.</summary>
    public bool? Enabled { get; set; }

    /// <summary>A new description; empty clears it.</summary>
    public string? Description { get; set; }

    // Whether the body named the events at all (null means all; absent leaves them).
    internal bool EventsSent { get; private set; }
}

/// <summary>A webhook endpoint as the management API returns it (R37); its secret only when created or rotated.</summary>
public sealed class WebhookResponse
{
    /// <summary>The endpoint's id.</summary>
    public required string Id { get; init; }

    /// <summary>The receiver's URL.</summary>
    public required string Url { get; init; }

    /// <summary>The event types it receives; <c>null</c> for all.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>The description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether events are delivered to it.</summary>
    public required bool Enabled { get; init; }

    /// <summary>Why the service disabled it.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>Since when every attempt to it failed.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>Who registered it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Until when the secret before the last rotation signs too.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>The signing secret: only in the responses that create or rotate it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }

    internal static WebhookResponse From(ApiTokenWebhook webhook, string? secret = null) => new()
    {
        Id = webhook.Id,
        Url = webhook.Url,
        Events = webhook.Events,
        Description = webhook.Description,
        Enabled = webhook.Enabled,
        DisabledReason = webhook.DisabledReason,
        FailingSince = webhook.FailingSince,
        CreatedBy = webhook.CreatedBy,
        CreatedAt = webhook.CreatedAt,
        PreviousSecretExpiresAt = webhook.PreviousSecretExpiresAt,
        Secret = secret,
    };

    /// <summary>Describes the endpoint, never its secret.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"WebhookResponse {{ Id = {Id}, Url = {Url} }}";
}

/// <summary>A delivery as the management API returns it (R37).</summary>
public sealed class WebhookDeliveryResponse
{
    /// <summary>The delivery's id: the <c>webhook-id</c> header of each attempt.</summary>
    public required string Id { get; init; }

    /// <summary>The event's id.</summary>
    public required string EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    /// <summary>When the event happened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Attempts so far.</summary>
    public required int Attempts { get; init; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The HTTP status of the last attempt, if the receiver answered.</summary>
    public int? LastStatusCode { get; init; }

    /// <summary>When it is tried next.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When it was last tried.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    internal static WebhookDeliveryResponse From(ApiTokenWebhookDelivery delivery) => new()
    {
        Id = delivery.Id,
        EventId = delivery.EventId,
        Type = delivery.Type,
        CreatedAt = delivery.CreatedAt,
        Attempts = delivery.Attempts,
        Status = delivery.Status switch
        {
            ApiTokenWebhookDeliveryStatus.Delivered => "delivered",
            ApiTokenWebhookDeliveryStatus.Failed => "failed",
            _ => "pending",
        },
        LastStatusCode = delivery.LastStatusCode,
        NextAttemptAt = delivery.NextAttemptAt,
        LastAttemptAt = delivery.LastAttemptAt,
    };
}
