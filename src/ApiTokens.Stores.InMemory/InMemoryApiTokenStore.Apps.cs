using ApiTokens.Auditing;

namespace ApiTokens.Stores.InMemory;

// R8, R19: apps recorded exactly once (checked again under the write lock); R22: last uses written
// without changing a token's version.
public sealed partial class InMemoryApiTokenStore
{
    /// <inheritdoc />
    public Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        ArgumentNullException.ThrowIfNull(app);
        cancellationToken.ThrowIfCancellationRequested();

        // Fast path without the lock: already recorded, or already full.
        if (!_byId.TryGetValue(tokenId, out var current))
        {
            return Task.FromResult(default(ApiTokenAppRecording));
        }

        if (current.FindApp(app.Name) is not null || current.Apps.Count >= maxApps)
        {
            return Task.FromResult(new ApiTokenAppRecording(current, Recorded: false));
        }

        lock (_writeLock)
        {
            // Re-check under the lock: another first use may have recorded it meanwhile (R19).
            current = _byId[tokenId];
            if (current.FindApp(app.Name) is not null || current.Apps.Count >= maxApps)
            {
                return Task.FromResult(new ApiTokenAppRecording(current, Recorded: false));
            }

            var stored = current with { Apps = [.. current.Apps, app with { LastUsedAt = null }], Version = current.Version + 1 };
            _byId[tokenId] = stored;
            Append(audit);
            return Task.FromResult(new ApiTokenAppRecording(stored, Recorded: true));
        }
    }

    /// <inheritdoc />
    public Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uses);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            foreach (var byToken in uses.GroupBy(static u => u.TokenId, StringComparer.Ordinal))
            {
                if (!_byId.TryGetValue(byToken.Key, out var current))
                {
                    continue;
                }

                var lastUsed = current.LastUsedAt;
                var apps = current.Apps.ToArray();
                foreach (var use in byToken)
                {
                    var index = Array.FindIndex(apps, a => string.Equals(a.Name, use.AppName, StringComparison.Ordinal));
                    if (index < 0)
                    {
                        continue;
                    }

                    if (apps[index].LastUsedAt is not { } appLast || appLast < use.UsedAt)
                    {
                        apps[index] = apps[index] with { LastUsedAt = use.UsedAt };
                    }

                    if (lastUsed is not { } tokenLast || tokenLast < use.UsedAt)
                    {
                        lastUsed = use.UsedAt;
                    }
                }

                // Not a change of the token: the version stays (R22).
                _byId[current.Id] = current with { LastUsedAt = lastUsed, Apps = apps };
            }
        }

        return Task.CompletedTask;
    }
}
