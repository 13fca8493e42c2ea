using System.Text;

namespace ApiTokens.Auditing;

/// <summary>
/// One entry of the audit trail (R24): who changed which token, when, how, with the old and new
/// values. Written by the store atomically with the change it describes; never holds a secret or a
/// secret hash.
/// </summary>
public sealed record ApiTokenAuditRecord
{
    /// <summary>The record's id: unique, opaque.</summary>
    public required string Id { get; init; }

    /// <summary>
    /// The store's sequence number: increasing in the order records were written, for paging. 0 until
    /// the record is stored (as in the event handed to <see cref="IApiTokenEventHandler"/>).
    /// </summary>
    public long Sequence { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The token changed.</summary>
    public required string TokenId { get; init; }

    /// <summary>The token's account.</summary>
    public required string AccountId { get; init; }

    /// <summary>
    /// Who made the change: a member's user id; for the first sight of an application and a use of a
    /// previous secret, <c>app:</c> followed by the application's name.
    /// </summary>
    public required string Actor { get; init; }

    /// <summary>What happened: one of <see cref="ApiTokenAuditActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The values that changed, each with its old and new value (as text, wire-format names).</summary>
    public IReadOnlyList<ApiTokenAuditChange> Changes { get; init; } = [];

    /// <summary>
    /// The change's webhook event (R37), when the store delivers webhooks: written as deliveries with
    /// the record, in the same transaction; not kept with the record, so a record read back has none.
    /// </summary>
    public ApiTokenEvent? Event { get; init; }

    /// <summary>Describes the record.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns><see langword="true"/>.</returns>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", At = ").Append(At.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
            .Append(", TokenId = ").Append(TokenId).Append(", Actor = ").Append(Actor).Append(", Action = ").Append(Action)
            .Append(", Changes = ").Append(Changes.Count);
        return true;
    }
}

/// <summary>One value an audited change changed.</summary>
/// <param name="Field">The field, by its wire name (<c>privilege</c>, <c>defaultAppState</c>, <c>app</c>, …).</param>
/// <param name="Old">The value before; <see langword="null"/> when there was none.</param>
/// <param name="New">The value after; <see langword="null"/> when there is none.</param>
public sealed record ApiTokenAuditChange(string Field, string? Old, string? New);
