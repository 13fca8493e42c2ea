using System.Text;

namespace ApiTokens.Webhooks;

/// <summary>
/// A webhook endpoint of an account (R37): where the account's token events are sent, signed.
/// Immutable: a change is a new instance written back with <see cref="Stores.IApiTokenWebhookStore.UpdateWebhookAsync"/>.
/// </summary>
public sealed record ApiTokenWebhook
{
    /// <summary>The public, opaque id.</summary>
    public required string Id { get; init; }

    /// <summary>The account whose events it receives.</summary>
    public required string AccountId { get; init; }

    /// <summary>The receiver's URL.</summary>
    public required string Url { get; init; }

    /// <summary>The event types it receives (<see cref="ApiTokenEventTypes"/>); <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? Events { get; init; }

    /// <summary>A free-form description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether events are delivered to it. Disabled endpoints receive nothing.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Why it was disabled, when the service disabled it (its deliveries kept failing).</summary>
    public string? DisabledReason { get; init; }

    /// <summary>
    /// The signing secret (<c>whsec_</c> + base64), protected for storage by the host's data protection:
    /// only the node that signs reads it back. Never shown after the response that created or rotated it.
    /// </summary>
    public required string ProtectedSecret { get; init; }

    /// <summary>The secret before the last rotation, protected; it signs too until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? ProtectedPreviousSecret { get; init; }

    /// <summary>When the previous secret stops signing (24 hours after a rotation).</summary>
    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    /// <summary>Since when every attempt to it failed (none succeeded since); <see langword="null"/> after a success.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>Who registered it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The optimistic-concurrency version (R19), as for tokens.</summary>
    public long Version { get; init; }

    /// <summary>Whether it receives events of a type.</summary>
    /// <param name="type">An event type.</param>
    /// <returns><see langword="true"/> when enabled and the type is among its events (or it takes all).</returns>
    public bool Receives(string type)
    {
        if (!Enabled)
        {
            return false;
        }

        if (Events is null)
        {
            return true;
        }

        for (var i = 0; i < Events.Count; i++)
        {
            if (string.Equals(Events[i], type, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Records print every property; the secrets stay out, even protected.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", AccountId = ").Append(AccountId).Append(", Url = ").Append(Url)
            .Append(", Enabled = ").Append(Enabled).Append(", Version = ").Append(Version);
        return true;
    }
}
