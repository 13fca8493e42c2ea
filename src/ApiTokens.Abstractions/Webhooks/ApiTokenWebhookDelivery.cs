namespace ApiTokens.Webhooks;

/// <summary>
/// One event for one endpoint (R37): written with the change it announces, sent off the request
/// path, retried on the schedule until it is delivered or fails for good.
/// </summary>
public sealed record ApiTokenWebhookDelivery
{
    /// <summary>The delivery's id: the <c>webhook-id</c> header of every attempt, so a receiver drops repeats.</summary>
    public required string Id { get; init; }

    /// <summary>The endpoint.</summary>
    public required string WebhookId { get; init; }

    /// <summary>The endpoint's account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The event's id (its audit record's, or the test's): shared by the deliveries of one event to several endpoints.</summary>
    public required string EventId { get; init; }

    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    /// <summary>The body sent.</summary>
    public required string Payload { get; init; }

    /// <summary>When the event happened.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Where it stands.</summary>
    public ApiTokenWebhookDeliveryStatus Status { get; init; }

    /// <summary>The HTTP status of the last attempt, if the receiver answered.</summary>
    public int? LastStatusCode { get; init; }

    /// <summary>When it is tried next (also the end of a claim's lease); <see langword="null"/> once delivered or failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When it was last tried.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>The store's sequence, increasing in the order deliveries were written, for paging. 0 until stored.</summary>
    public long Sequence { get; init; }

    /// <summary>Prints the id, type and status, not the body.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Type} {Id} {Status}";
}

/// <summary>Where a delivery stands.</summary>
public enum ApiTokenWebhookDeliveryStatus
{
    /// <summary>Not delivered yet: due at its next attempt.</summary>
    Pending = 0,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered = 1,

    /// <summary>Every attempt of the schedule failed.</summary>
    Failed = 2,
}
