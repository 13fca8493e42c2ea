using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Diagnostics;
using ApiTokens.Stores;
using ApiTokens.Validation;
using ApiTokens.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Recording;

// R8, R12, R19: the first request of a new app under a cached token records it with the token's
// default state, once per node however many requests race (the entry's coalescer) and once across
// nodes (the store's atomic RecordAppAsync), then judges the request by the state as stored.
//
// A recording is a change of the token (R18, R26): when it is the only change since the entry was
// read, the entry is updated in place (the next request is a hit) and every other listener and node
// hears of it; otherwise every cache drops the token. The first sight is audited with the write and
// published to the event handlers off the request path (R24).
internal sealed class AppRecorder(
    IServiceScopeFactory scopes,
    ApiTokenCache cache,
    ApiTokenChanges changes,
    ApiTokenEventDispatcher events,
    ApiTokenInstruments instruments,
    UseRecorder uses,
    IOptionsMonitor<ApiTokenOptions> options,
    TimeProvider time,
    ILogger<AppRecorder> logger)
{
    // Called through the entry's coalescer (CachedApiToken.RecordAppAsync): one call per new name,
    // whose result every racing request shares.
    public async Task<ApiTokenValidationResult> RecordAsync(CachedApiToken entry, string appName)
    {
        var now = time.GetUtcNow();
        var audit = AuditRecords.Create(
            entry.TokenId,
            entry.AccountId,
            now,
            AuditRecords.App(appName),
            ApiTokenAuditActions.AppFirstSeen,
            new("app", null, appName),
            new("state", null, AuditRecords.Wire(entry.DefaultAppState)));

        // Taken before the write: the cache takes the result in only if nothing else changed since.
        var stamp = cache.ReadStamp();
        ApiTokenAppRecording recording;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var app = new TokenApp(appName, entry.DefaultAppState, now);
            var maxApps = options.CurrentValue.MaxAppsPerToken;
            if (scope.ServiceProvider.GetService<IApiTokenWebhookStore>() is not null
                && await store.FindByIdAsync(entry.TokenId, CancellationToken.None).ConfigureAwait(false) is { } token)
            {
                // R37: the first sight's event carries the token as it will be stored: read for it
                // (the entry holds only what judging needs), on this rare path only.
                var after = token with { Apps = [.. token.Apps, app], Version = token.Version + 1 };
                audit = audit with { Event = WebhookEvents.For(audit, after, entry.EffectivePrivilege, expired: false) };
            }

            recording = await instruments.TimeStoreAsync("record_app", (s, a) => s.RecordAppAsync(entry.TokenId, a, maxApps, audit, CancellationToken.None), store, app).ConfigureAwait(false);
        }

        var stored = recording.Token;
        if (stored is null || stored.IsRetired)
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.BadToken);
        }

        // Judged on the token as stored now, with the privilege looked up with the entry.
        CachedApiToken? judged = null;
        if (recording.Recorded && stored.Version == entry.Version + 1)
        {
            // Only this app was added since the entry was read: the entry is updated in place.
            judged = cache.TryTakeFirstUse(entry, stored, stamp);
            changes.Changed(entry.TokenId, applied: judged is null ? null : cache);
        }
        else if (stored.Version != entry.Version)
        {
            // Anything else changed the token (or the cache could not take this write in).
            changes.Changed(entry.TokenId);
        }

        judged ??= new CachedApiToken(stored, entry.EffectivePrivilege, entry.PreviousSecretExpiresAt, expiresAt: 0, limiter: entry.Limiter);
        if (!judged.TryFindApp(appName, out var state, out var position))
        {
            return ApiTokenValidationResult.Fail(ApiTokenValidationStatus.TooManyApps);
        }

        if (recording.Recorded)
        {
            // This call recorded it (the store says so): tell the handlers, off the request path.
            Log.AppRecorded(logger, appName, entry.TokenId, state);
            events.PublishInBackground(audit);
        }

        return uses.Judge(judged, position, state);
    }
}
