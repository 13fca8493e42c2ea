namespace ApiTokens.Webhooks;

/// <summary>What to change on a webhook endpoint; <see langword="null"/> leaves a field as it is.</summary>
public sealed record UpdateApiTokenWebhookRequest
{
    /// <summary>A new URL.</summary>
    public string? Url { get; init; }

    /// <summary>New event types (see <see cref="ClearEvents"/> for all).</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>Receive every event type again (the request's <c>events</c> was <c>null</c>).</summary>
    public bool ClearEvents { get; init; }

    /// <summary>Enable or disable it.</summary>
    public bool? Enabled { get; init; }

    /// <summary>A new description; empty clears it.</summary>
    public string? Description { get; init; }
}
