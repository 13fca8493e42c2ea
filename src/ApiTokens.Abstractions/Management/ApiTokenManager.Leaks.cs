using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Secrets;
using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>The most secrets one call of <see cref="RetireLeakedSecretsAsync"/> takes.</summary>
    public const int MaxLeakedSecretsPerCall = 1_000;

    /// <summary>
    /// Retires every token one of the secrets is a live secret of — its current secret, or its
    /// previous one within the grace period — at once, so both its secrets stop working (R31, R32).
    /// Each retirement is audited (action <c>token.retired</c>, the given actor, the report's
    /// source and url in the details) atomically with it and published to the event handlers. A
    /// secret already retired changes nothing more, so a repeated report is harmless.
    /// </summary>
    /// <remarks>No actor is checked: whoever holds a secret may end it. Secrets are only hashed, never logged or kept.</remarks>
    /// <param name="secrets">The secrets and where they were found; at most <see cref="MaxLeakedSecretsPerCall"/>.</param>
    /// <param name="actor">Who reports them, for the audit trail: <c>leak-report:github</c>, <c>revocation-request</c>, …</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One result per secret, in order.</returns>
    public async Task<IReadOnlyList<LeakedSecretResult>> RetireLeakedSecretsAsync(IReadOnlyList<LeakedSecret> secrets, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(secrets.Count, MaxLeakedSecretsPerCall);
        if (secrets.Count == 0)
        {
            return [];
        }

        var hashes = new byte[secrets.Count][];
        for (var i = 0; i < hashes.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(secrets[i]?.Secret, nameof(secrets));
            hashes[i] = ApiTokenSecretCodec.Hash(secrets[i].Secret);
        }

        return await RetireLeakedHashesAsync(hashes, secrets, actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks for the tokens of secrets someone found to be retired (R32). With an outbox
    /// (<see cref="SupportsOutbox"/>) the request is written durably and handled off the caller's path,
    /// by one node, at once: the call takes the same time whether a secret was live, retired or never
    /// existed, and a request acknowledged by its return survives the node that took it. Without one,
    /// the tokens are retired before the call returns, as <see cref="RetireLeakedSecretsAsync"/> does.
    /// </summary>
    /// <param name="secrets">The secrets; at most <see cref="MaxLeakedSecretsPerCall"/>. Only their hashes are kept.</param>
    /// <param name="actor">Who asks, for the audit trail (<c>revocation-request</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes once the request is durable (or done).</returns>
    public async Task RequestRevocationAsync(IReadOnlyList<string> secrets, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(secrets.Count, MaxLeakedSecretsPerCall);
        if (_outboxStore is null)
        {
            await RetireLeakedSecretsAsync([.. secrets.Select(static s => new LeakedSecret(s))], actor, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _outboxStore.EnqueueAsync(RevocationRequests.Create(secrets, actor, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        _revocations.Signal();
    }

    // A revocation request from the outbox (RevocationRequests): the same retirement, by hash.
    internal Task<IReadOnlyList<LeakedSecretResult>> RetireLeakedHashesAsync(byte[][] hashes, string actor, CancellationToken cancellationToken)
        => RetireLeakedHashesAsync(hashes, null, actor, cancellationToken);

    private async Task<IReadOnlyList<LeakedSecretResult>> RetireLeakedHashesAsync(byte[][] hashes, IReadOnlyList<LeakedSecret>? secrets, string actor, CancellationToken cancellationToken)
    {
        var found = await FindBySecretHashesAsync(hashes, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var results = new LeakedSecretResult[hashes.Length];
        var retiredNow = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (var i = 0; i < results.Length; i++)
        {
            var token = SecretMatches.Find(found, hashes[i], out var match);
            if (token is null)
            {
                results[i] = new LeakedSecretResult(LeakedSecretStatus.Unknown, null);
                continue;
            }

            if (!SecretMatches.IsLive(token, match, now))
            {
                results[i] = new LeakedSecretResult(retiredNow.GetValueOrDefault(token.Id) ? LeakedSecretStatus.Retired : LeakedSecretStatus.Inactive, token.Id);
                continue;
            }

            if (!retiredNow.ContainsKey(token.Id))
            {
                var details = new List<ApiTokenAuditChange> { new("retired", "false", "true") };
                if (secrets?[i] is { } secret)
                {
                    if (!string.IsNullOrEmpty(secret.Source))
                    {
                        details.Add(new("source", null, Truncate(secret.Source)));
                    }

                    if (!string.IsNullOrEmpty(secret.Url))
                    {
                        details.Add(new("url", null, Truncate(secret.Url)));
                    }
                }

                retiredNow[token.Id] = await RetireReportedAsync(token, actor, [.. details], cancellationToken).ConfigureAwait(false);
            }

            results[i] = new LeakedSecretResult(retiredNow[token.Id] ? LeakedSecretStatus.Retired : LeakedSecretStatus.Inactive, token.Id);
        }

        return results;
    }

    // Every token one of the hashes is or was a secret of, retired included: one store call where the
    // store can (IApiTokenBatchLookupStore), else one per hash.
    private async Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(byte[][] hashes, CancellationToken cancellationToken)
    {
        if (_batchStore is not null)
        {
            var lookups = new ReadOnlyMemory<byte>[hashes.Length];
            for (var i = 0; i < hashes.Length; i++)
            {
                lookups[i] = hashes[i];
            }

            return await _batchStore.FindBySecretHashesAsync(lookups, includeRetired: true, cancellationToken).ConfigureAwait(false);
        }

        var found = new List<ApiToken>(hashes.Length);
        foreach (var hash in hashes)
        {
            if (await _store.FindBySecretHashAsync(hash, includeRetired: true, cancellationToken).ConfigureAwait(false) is { } token && !found.Exists(t => t.Id == token.Id))
            {
                found.Add(token);
            }
        }

        return found;
    }

    // Audit values people read: a report's url or source is kept, bounded.
    private static string Truncate(string value) => value.Length <= 2048 ? value : value[..2048];

    // Retires a reported token, re-reading when another change won the race: a leaked secret must
    // not keep working because an app was recorded meanwhile. False when another writer retired it
    // first (then nothing is left to do). Store failures propagate: the report is answered 503 and
    // the reporter sends it again.
    private async Task<bool> RetireReportedAsync(ApiToken token, string actor, ApiTokenAuditChange[] details, CancellationToken cancellationToken)
    {
        var current = token;
        for (var attempt = 1; attempt <= MaxRetireAttempts; attempt++)
        {
            try
            {
                var retired = current with { RetiredAt = _time.GetUtcNow(), RetiredBy = actor };
                var audit = await WithEventAsync(Audit(current, actor, ApiTokenAuditActions.Retired, details), retired with { Version = retired.Version + 1 }, cancellationToken).ConfigureAwait(false);
                var saved = await _store.UpdateAsync(retired, audit, cancellationToken).ConfigureAwait(false);
                NotifyChanged(saved.Id);
                Log.TokenRetired(_logger, saved.Id, actor);
                await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (ApiTokenConcurrencyException)
            {
                current = await _store.FindByIdAsync(token.Id, cancellationToken).ConfigureAwait(false);
                if (current is null || current.IsRetired)
                {
                    NotifyChanged(token.Id);
                    return false;
                }
            }
        }

        throw new ApiTokenConcurrencyException("The reported token kept changing; report it again.");
    }
}
