using ApiTokens.Auditing;

namespace ApiTokens.AspNetCore.Endpoints;

/// <summary>An audit record as the management API returns it (R24).</summary>
public sealed class ApiTokenEventResponse
{
    /// <summary>The record's id.</summary>
    public required string Id { get; init; }

    /// <summary>When the change happened.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The token.</summary>
    public required string TokenId { get; init; }

    /// <summary>The account.</summary>
    public required string AccountId { get; init; }

    /// <summary>Who made the change: a member's id, or <c>app:</c> and an application's name.</summary>
    public required string Actor { get; init; }

    /// <summary>What happened (<c>token.created</c>, <c>app.first_seen</c>, …).</summary>
    public required string Action { get; init; }

    /// <summary>Each changed value by field, with its old and new value.</summary>
    public required IReadOnlyDictionary<string, ApiTokenEventChange> Details { get; init; }

    internal static ApiTokenEventResponse From(ApiTokenAuditRecord record)
    {
        var details = new Dictionary<string, ApiTokenEventChange>(record.Changes.Count, StringComparer.Ordinal);
        foreach (var change in record.Changes)
        {
            details[change.Field] = new ApiTokenEventChange { Old = change.Old, New = change.New };
        }

        return new ApiTokenEventResponse
        {
            Id = record.Id,
            At = record.At,
            TokenId = record.TokenId,
            AccountId = record.AccountId,
            Actor = record.Actor,
            Action = record.Action,
            Details = details,
        };
    }
}

/// <summary>One changed value of an audit record.</summary>
public sealed class ApiTokenEventChange
{
    /// <summary>The value before, or <see langword="null"/>.</summary>
    public string? Old { get; init; }

    /// <summary>The value after, or <see langword="null"/>.</summary>
    public string? New { get; init; }
}
