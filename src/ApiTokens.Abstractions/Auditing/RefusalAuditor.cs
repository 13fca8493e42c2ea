using System.Net;
using ApiTokens.Caching;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Auditing;

// R33, R34: the first refusal of a token in each minute becomes an audit record (and an event), so
// its owner sees "blocked from 203.0.113.9" — written off the request, never one per request.
internal sealed class RefusalAuditor(IServiceScopeFactory scopes, ApiTokenEventDispatcher events, TimeProvider time, ILogger<RefusalAuditor> logger)
{
    public void NetworkRefused(CachedApiToken entry, string appName, IPAddress? address)
        => Audit(entry, appName, ApiTokenAuditActions.NetworkRefused, "address", address is null ? "unknown" : Display(address));

    public void RateLimited(CachedApiToken entry, string appName, ApiTokenRateLimit limit)
        => Audit(entry, appName, ApiTokenAuditActions.RateLimited, "rateLimit", limit.ToString());

    // An IPv4 client of a dual-stack socket arrives IPv4-mapped (::ffff:203.0.113.9): shown as the
    // IPv4 address people know, as the networks are matched (ApiTokenNetworks).
    private static string Display(IPAddress address) => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    private void Audit(CachedApiToken entry, string appName, string action, string field, string value)
    {
        var now = time.GetUtcNow();
        var minute = now.ToUnixTimeSeconds() / 60;
        if (Interlocked.Exchange(ref entry.LastRefusalAuditMinute, minute) == minute)
        {
            return;
        }

        var record = AuditRecords.Create(entry.TokenId, entry.AccountId, now, AuditRecords.App(appName), action, [new("app", null, appName), new(field, null, value)]);

        // On the thread pool: a store whose writes complete synchronously (SQLite) must not make the
        // refused request wait for the write.
        _ = Task.Run(() => WriteAsync(record));
    }

    private async Task WriteAsync(ApiTokenAuditRecord record)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IApiTokenStore>().AppendAuditAsync(record, CancellationToken.None).ConfigureAwait(false);
            await events.PublishAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nobody awaits this task: whatever failed is logged, never left unobserved.
            Log.RefusalNotAudited(logger, ex, record.TokenId);
        }
    }
}
