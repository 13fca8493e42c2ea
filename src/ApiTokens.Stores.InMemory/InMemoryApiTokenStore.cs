using System.Collections.Concurrent;
using ApiTokens.Auditing;

namespace ApiTokens.Stores.InMemory;

/// <summary>
/// A thread-safe in-memory <see cref="IApiTokenStore"/> with every capability (batch lookups, the
/// audit trail, usage, the outbox, webhooks): O(1) lookup by id and by secret hash, optimistic concurrency, and
/// exactly-once recording of apps.
/// </summary>
/// <remarks>
/// Tokens are immutable, so readers take them from the dictionaries without locking. Writers
/// serialize on one lock: the version check and the replacement must be one step, and the
/// write rate of a token store is tiny next to its read rate.
/// </remarks>
public sealed partial class InMemoryApiTokenStore : IApiTokenBatchLookupStore
{
    private readonly ConcurrentDictionary<string, ApiToken> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<byte[], string> _idByHash = new(SecretHashComparer.Instance);
    private readonly Lock _writeLock = new();

    // The audit trail (R24), appended under the write lock with the change it records.
    private readonly List<ApiTokenAuditRecord> _audit = [];

    // Active tokens per holder (R28), kept under the write lock so a quota check is O(1).
    private readonly Dictionary<(string AccountId, string? OwnerId, TokenType Type), int> _active = [];

    /// <summary>How many tokens the store holds.</summary>
    public int Count => _byId.Count;

    /// <inheritdoc />
    public Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = token with { Version = 1, SecretHash = (byte[])token.SecretHash.Clone(), Apps = [.. token.Apps] };
        lock (_writeLock)
        {
            if (!stored.IsRetired && CountActive(stored) >= maxActive)
            {
                return Task.FromResult<ApiToken?>(null);
            }

            if (_idByHash.ContainsKey(stored.SecretHash) || (stored.PreviousSecretHash is { } hash && _idByHash.ContainsKey(hash)))
            {
                throw new ApiTokenDuplicateSecretException();
            }

            if (_byId.ContainsKey(stored.Id))
            {
                throw new ApiTokenStoreException("A token with this id already exists.");
            }

            _byId[stored.Id] = stored;
            _idByHash[stored.SecretHash] = stored.Id;
            if (stored.PreviousSecretHash is { } previous)
            {
                _idByHash[previous] = stored.Id;
            }

            Track(null, stored);
            Append(audit);
        }

        return Task.FromResult<ApiToken?>(stored);
    }

    // Under the write lock: the holder's active tokens of the new token's type.
    private int CountActive(ApiToken token) => _active.GetValueOrDefault(Holder(token));

    private static (string, string?, TokenType) Holder(ApiToken token)
        => (token.AccountId, token.Type == TokenType.User ? token.OwnerId : null, token.Type);

    // Under the write lock: a token entering or leaving the active set of its holder.
    private void Track(ApiToken? before, ApiToken? after)
    {
        if (before is { IsRetired: false })
        {
            var key = Holder(before);
            if (--System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_active, key, out _) == 0)
            {
                _active.Remove(key);
            }
        }

        if (after is { IsRetired: false })
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_active, Holder(after), out _)++;
        }
    }

    /// <inheritdoc />
    public Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        => TryUpdateAsync(token, int.MaxValue, audit, cancellationToken)!;

    /// <inheritdoc />
    public Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            if (!_byId.TryGetValue(token.Id, out var current) || current.Version != token.Version)
            {
                throw new ApiTokenConcurrencyException();
            }

            // R28: counted under the same lock as the write (and as every creation).
            if (!token.IsRetired && CountActive(token) - (current is { IsRetired: false } && Holder(current) == Holder(token) ? 1 : 0) >= maxActive)
            {
                return Task.FromResult<ApiToken?>(null);
            }

            // The identity never changes through an update, nor the last-use times (only RecordUsesAsync
            // writes those); the secret hashes change when the token is rotated (R23).
            var stored = token with
            {
                Version = current.Version + 1,
                AccountId = current.AccountId,
                SecretHash = (byte[])token.SecretHash.Clone(),
                PreviousSecretHash = (byte[]?)token.PreviousSecretHash?.Clone(),
                LastUsedAt = current.LastUsedAt,
                Apps = KeepLastUse(token.Apps, current),
            };
            Reindex(current, stored);
            _byId[stored.Id] = stored;
            Track(current, stored);
            Append(audit);
            return Task.FromResult<ApiToken?>(stored);
        }
    }

    /// <inheritdoc />
    public Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            Append(record);
        }

        return Task.CompletedTask;
    }

    // Under the write lock: the next sequence number is the record's position; its event's deliveries
    // (R37) are written in the same step. The event is not kept with the record.
    private void Append(ApiTokenAuditRecord? record)
    {
        if (record is not null)
        {
            _audit.Add(record with { Sequence = _audit.Count + 1, Event = null });
            Deliver(record);
        }
    }

    // Under the write lock: the stored apps' last-use times carried into an update.
    private static TokenApp[] KeepLastUse(IReadOnlyList<TokenApp> apps, ApiToken current)
    {
        var result = new TokenApp[apps.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var app = apps[i];
            var lastUsed = current.FindApp(app.Name)?.LastUsedAt;
            result[i] = app.LastUsedAt == lastUsed ? app : app with { LastUsedAt = lastUsed };
        }

        return result;
    }

    // Under the write lock: the secret hashes that find the token after a rotation (R23).
    private void Reindex(ApiToken current, ApiToken stored)
    {
        foreach (var old in new[] { current.SecretHash, current.PreviousSecretHash })
        {
            if (old is not null && !SecretHashComparer.Instance.Equals(old, stored.SecretHash) && !SecretHashComparer.Instance.Equals(old, stored.PreviousSecretHash))
            {
                _idByHash.TryRemove(old, out _);
            }
        }

        _idByHash[stored.SecretHash] = stored.Id;
        if (stored.PreviousSecretHash is { } previous)
        {
            _idByHash[previous] = stored.Id;
        }
    }

    /// <inheritdoc />
    public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_byId.TryGetValue(tokenId, out var token) ? token : null);
    }

    /// <inheritdoc />
    public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lookup = _idByHash.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(secretHash.Span, out var id) && _byId.TryGetValue(id, out var token) && (includeRetired || !token.IsRetired))
        {
            return Task.FromResult<ApiToken?>(token);
        }

        return Task.FromResult<ApiToken?>(null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secretHashes);
        cancellationToken.ThrowIfCancellationRequested();
        var lookup = _idByHash.GetAlternateLookup<ReadOnlySpan<byte>>();
        var found = new Dictionary<string, ApiToken>(StringComparer.Ordinal);
        foreach (var hash in secretHashes)
        {
            // A token found by its current and its previous secret is returned once.
            if (lookup.TryGetValue(hash.Span, out var id) && _byId.TryGetValue(id, out var token) && (includeRetired || !token.IsRetired))
            {
                found.TryAdd(id, token);
            }
        }

        return Task.FromResult<IReadOnlyList<ApiToken>>([.. found.Values]);
    }

    /// <inheritdoc />
    /// <remarks>Scans the tokens (this store is for tests, samples and single-node apps); the page is bounded by <paramref name="limit"/>.</remarks>
    public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<ApiToken>();
        foreach (var token in _byId.Values)
        {
            if (token.AccountId == accountId
                && (ownerId is null || (token.Type == TokenType.User && token.OwnerId == ownerId))
                && (after is not { } position || position.Precedes(token)))
            {
                result.Add(token);
            }
        }

        result.Sort(ApiTokenListPosition.Compare);
        if (result.Count > limit)
        {
            result.RemoveRange(limit, result.Count - limit);
        }

        return Task.FromResult<IReadOnlyList<ApiToken>>(result);
    }
}
