namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>The database row of an audit record (table <c>api_token_audit</c>, R24). Map it with <c>modelBuilder.UseApiTokens()</c>.</summary>
public sealed class ApiTokenAuditEntity
{
    /// <summary>The store's sequence number (primary key, generated).</summary>
    public long Sequence { get; set; }

    /// <summary>The record's id.</summary>
    public string Id { get; set; } = null!;

    /// <summary>When the change happened (UTC).</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>The token.</summary>
    public string TokenId { get; set; } = null!;

    /// <summary>The account.</summary>
    public string AccountId { get; set; } = null!;

    /// <summary>Who made the change.</summary>
    public string Actor { get; set; } = null!;

    /// <summary>What happened.</summary>
    public string Action { get; set; } = null!;

    /// <summary>The changed values as a JSON array of <c>{"field","old","new"}</c>.</summary>
    public string Changes { get; set; } = "[]";
}
