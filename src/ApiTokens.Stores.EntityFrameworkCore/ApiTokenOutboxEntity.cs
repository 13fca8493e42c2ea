namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>A message of the outbox: the <c>api_token_outbox</c> table (<see cref="IApiTokenOutboxStore"/>).</summary>
public sealed class ApiTokenOutboxEntity
{
    /// <summary>The message id.</summary>
    public string Id { get; set; } = null!;

    /// <summary>What it is, for its handler.</summary>
    public string Kind { get; set; } = null!;

    /// <summary>The work, as text.</summary>
    public string Payload { get; set; } = null!;

    /// <summary>When it was written.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it is due.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>How many times it was claimed.</summary>
    public int Attempts { get; set; }
}
