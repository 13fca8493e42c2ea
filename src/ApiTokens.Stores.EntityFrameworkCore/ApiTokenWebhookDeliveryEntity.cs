namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>An event for an endpoint (R37): the <c>api_token_webhook_deliveries</c> table.</summary>
public sealed class ApiTokenWebhookDeliveryEntity
{
    /// <summary>The store's sequence, increasing in the order deliveries were written.</summary>
    public long Sequence { get; set; }

    /// <summary>The delivery's id (the <c>webhook-id</c> header).</summary>
    public string Id { get; set; } = null!;

    /// <summary>The endpoint.</summary>
    public string WebhookId { get; set; } = null!;

    /// <summary>The endpoint's account.</summary>
    public string AccountId { get; set; } = null!;

    /// <summary>The event's id.</summary>
    public string EventId { get; set; } = null!;

    /// <summary>The event type.</summary>
    public string Type { get; set; } = null!;

    /// <summary>The body sent.</summary>
    public string Payload { get; set; } = null!;

    /// <summary>When the event happened.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; set; }

    /// <summary>0 pending, 1 delivered, 2 failed.</summary>
    public int Status { get; set; }

    /// <summary>The HTTP status of the last attempt.</summary>
    public int? LastStatusCode { get; set; }

    /// <summary>When it is tried next.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When it was last tried.</summary>
    public DateTimeOffset? LastAttemptAt { get; set; }
}
