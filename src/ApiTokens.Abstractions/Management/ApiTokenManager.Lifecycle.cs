using System.Globalization;
using ApiTokens.Auditing;
using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    private const int LifecyclePageSize = 500;

    /// <summary>Whether the store finds the lifecycle sweep's candidates (R38, <see cref="IApiTokenLifecycleStore"/>).</summary>
    public bool SupportsLifecycle => _lifecycleStore is not null;

    // R38: one sweep over the store's candidates. Each warning is a versioned update of the token (the
    // marker of what was raised) with its audit record and webhook deliveries in the same write, so a
    // restart or a second node sweeping at the same moment never raises an event twice: the loser of
    // a race gets a concurrency conflict and leaves the token to the winner. Returns the events raised.
    internal async Task<int> SweepLifecycleAsync(CancellationToken cancellationToken)
    {
        if (_lifecycleStore is null)
        {
            return 0;
        }

        // This node's uses first, so a token in use here is not seen as idle.
        await _uses.FlushAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var thresholds = _options.ExpiryWarningThresholds;
        var largest = thresholds.Count == 0 ? TimeSpan.Zero : thresholds.Max();
        var query = new ApiTokenLifecycleQuery(now, now + largest, now - _options.UnusedWarningAfter, _options.RetireUnusedAfter is { } retire ? now - retire : null);
        var raised = 0;
        string? after = null;
        while (true)
        {
            var page = await _lifecycleStore.FindLifecycleCandidatesAsync(query, after, LifecyclePageSize, cancellationToken).ConfigureAwait(false);
            foreach (var token in page)
            {
                raised += await ApplyLifecycleAsync(token, now, thresholds, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < LifecyclePageSize)
            {
                return raised;
            }

            after = page[^1].Id;
        }
    }

    private async Task<int> ApplyLifecycleAsync(ApiToken token, DateTimeOffset now, IReadOnlyList<TimeSpan> thresholds, CancellationToken cancellationToken)
    {
        var raised = 0;
        if (token.ExpiresAt is { } expires)
        {
            if (now >= expires)
            {
                if (token.ExpiryWarnedFor != expires || token.ExpiryWarnedThreshold != TimeSpan.Zero)
                {
                    raised += await RaiseAsync(
                        token with { ExpiryWarnedFor = expires, ExpiryWarnedThreshold = TimeSpan.Zero },
                        ApiTokenAuditActors.Lifecycle,
                        ApiTokenAuditActions.Expired,
                        [new("expiresAt", null, Wire(expires))],
                        cancellationToken).ConfigureAwait(false) is null ? 0 : 1;
                }

                return raised;
            }

            // The nearest threshold the token is inside; raised unless it (or a nearer one) was for this expiry.
            TimeSpan? due = null;
            foreach (var threshold in thresholds)
            {
                if (expires - threshold <= now && (due is null || threshold < due))
                {
                    due = threshold;
                }
            }

            if (due is { } nearest && !(token.ExpiryWarnedFor == expires && token.ExpiryWarnedThreshold <= nearest))
            {
                var daysLeft = (int)Math.Ceiling((expires - now).TotalDays);
                if (await RaiseAsync(
                    token with { ExpiryWarnedFor = expires, ExpiryWarnedThreshold = nearest },
                    ApiTokenAuditActors.Lifecycle,
                    ApiTokenAuditActions.Expiring,
                    [new("daysLeft", null, daysLeft.ToString(CultureInfo.InvariantCulture)), new("expiresAt", null, Wire(expires))],
                    cancellationToken).ConfigureAwait(false) is not { } saved)
                {
                    return 0;
                }

                token = saved;
                raised++;
            }
        }

        var idleStart = token.LastUsedAt ?? token.CreatedAt;
        var idle = now - idleStart;
        if (_options.RetireUnusedAfter is { } retireAfter && idle >= retireAfter)
        {
            if (await RaiseAsync(
                token with { RetiredAt = now, RetiredBy = ApiTokenAuditActors.UnusedPolicy },
                ApiTokenAuditActors.UnusedPolicy,
                ApiTokenAuditActions.Retired,
                [new("retired", "false", "true")],
                cancellationToken).ConfigureAwait(false) is not null)
            {
                Log.RetiredUnused(_logger, token.Id, (int)idle.TotalDays);
                raised++;
            }

            return raised;
        }

        if (idle >= _options.UnusedWarningAfter && token.UnusedWarnedSince != idleStart)
        {
            raised += await RaiseAsync(
                token with { UnusedWarnedSince = idleStart },
                ApiTokenAuditActors.Lifecycle,
                ApiTokenAuditActions.Unused,
                [new("lastUsedAt", null, Wire(token.LastUsedAt)), new("idleDays", null, ((int)idle.TotalDays).ToString(CultureInfo.InvariantCulture))],
                cancellationToken).ConfigureAwait(false) is null ? 0 : 1;
        }

        return raised;
    }

    // The change with its audit record and event; null when another node changed the token first.
    private async Task<ApiToken?> RaiseAsync(ApiToken changed, string actor, string action, ApiTokenAuditChange[] changes, CancellationToken cancellationToken)
    {
        var audit = AuditRecords.Create(changed.Id, changed.AccountId, _time.GetUtcNow(), actor, action, changes);
        var result = await SaveAsync(changed, audit, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        Log.LifecycleEvent(_logger, action, changed.Id);
        return result.Value.Token;
    }
}
