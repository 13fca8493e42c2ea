namespace ApiTokens.Stores;

/// <summary>A message of the outbox (<see cref="IApiTokenOutboxStore"/>).</summary>
public sealed record ApiTokenOutboxMessage
{
    /// <summary>The unique id.</summary>
    public required string Id { get; init; }

    /// <summary>What it is, for the handler that claims it (for example <c>revocation</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>The work, as text. Never a secret; hashes of secrets at most.</summary>
    public required string Payload { get; init; }

    /// <summary>When it was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it is due (next); a claim moves it to the end of its lease.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>How many times it was claimed.</summary>
    public int Attempts { get; init; }

    /// <summary>Prints the id and kind only: the payload may hold hashes of secrets.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Kind} {Id}";
}
