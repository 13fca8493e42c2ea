namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>A webhook endpoint (R37): the <c>api_token_webhooks</c> table.</summary>
public sealed class ApiTokenWebhookEntity
{
    /// <summary>The endpoint's id.</summary>
    public string Id { get; set; } = null!;

    /// <summary>Its account.</summary>
    public string AccountId { get; set; } = null!;

    /// <summary>The receiver's URL.</summary>
    public string Url { get; set; } = null!;

    /// <summary>The event types it receives, comma-separated; <see langword="null"/> for all.</summary>
    public string? Events { get; set; }

    /// <summary>A description.</summary>
    public string? Description { get; set; }

    /// <summary>Whether events are delivered to it.</summary>
    public bool Enabled { get; set; }

    /// <summary>Why the service disabled it.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>The signing secret, protected by the host's data protection.</summary>
    public string ProtectedSecret { get; set; } = null!;

    /// <summary>The secret before the last rotation, protected.</summary>
    public string? ProtectedPreviousSecret { get; set; }

    /// <summary>When the previous secret stops signing.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>Since when every attempt failed.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>Who registered it.</summary>
    public string CreatedBy { get; set; } = null!;

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The optimistic-concurrency version.</summary>
    public long Version { get; set; }
}
