namespace ApiTokens.Stores;

/// <summary>
/// A store capability: the outbox, durable work handled off the request path by one node at a time.
/// A message written here survives the node that wrote it (kill -9 included) and is handled at least
/// once: a node claims it for a lease, handles it and completes it; a node that dies mid-way leaves
/// the claim to lapse, and another node (or the same one, restarted) claims it again.
/// </summary>
/// <remarks>
/// Public revocation (R32) writes its request here and answers at once, so the answer takes the same
/// time whether a secret was live or unknown, and no acknowledged revocation is lost. Without this
/// capability revocations are handled before the answer.
/// </remarks>
public interface IApiTokenOutboxStore : IApiTokenStore
{
    /// <summary>Writes a message, due at once. Durable when the task completes.</summary>
    /// <param name="message">The message; its <see cref="ApiTokenOutboxMessage.Id"/> is unique.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is stored.</returns>
    Task EnqueueAsync(ApiTokenOutboxMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> messages of a kind that are due at <paramref name="now"/>
    /// (<see cref="ApiTokenOutboxMessage.NextAttemptAt"/> at or before it), oldest first: each claimed
    /// message's next attempt moves to <paramref name="now"/> + <paramref name="lease"/> and its attempts
    /// go up by one, atomically, so concurrent claims — in this process or any other — never return the
    /// same message twice within a lease.
    /// </summary>
    /// <param name="kind">The kind of message.</param>
    /// <param name="now">The current time.</param>
    /// <param name="lease">How long a claim hides the message from other claims.</param>
    /// <param name="max">The most messages to claim, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claimed messages as stored after the claim.</returns>
    Task<IReadOnlyList<ApiTokenOutboxMessage>> ClaimAsync(string kind, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Removes a handled message; a message that is gone already changes nothing.</summary>
    /// <param name="id">The message id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the message is removed.</returns>
    Task CompleteAsync(string id, CancellationToken cancellationToken);
}
