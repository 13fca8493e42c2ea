namespace ApiTokens.Stores.InMemory;

// The outbox, under the write lock: a claim and the messages it hides are one step.
public sealed partial class InMemoryApiTokenStore : IApiTokenOutboxStore
{
    private readonly Dictionary<string, ApiTokenOutboxMessage> _outbox = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task EnqueueAsync(ApiTokenOutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (!_outbox.TryAdd(message.Id, message))
            {
                throw new ApiTokenStoreException("An outbox message with this id already exists.");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiTokenOutboxMessage>> ClaimAsync(string kind, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            var due = _outbox.Values
                .Where(m => m.Kind == kind && m.NextAttemptAt <= now)
                .OrderBy(static m => m.NextAttemptAt).ThenBy(static m => m.CreatedAt)
                .Take(max)
                .ToList();
            for (var i = 0; i < due.Count; i++)
            {
                due[i] = _outbox[due[i].Id] = due[i] with { NextAttemptAt = now + lease, Attempts = due[i].Attempts + 1 };
            }

            return Task.FromResult<IReadOnlyList<ApiTokenOutboxMessage>>(due);
        }
    }

    /// <inheritdoc />
    public Task CompleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            _outbox.Remove(id);
        }

        return Task.CompletedTask;
    }
}
