using ApiTokens.Management;
using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>The most days <see cref="GetUsageAsync"/> reads back.</summary>
    public const int MaxUsageDays = 90;

    /// <summary>
    /// Requests per app and UTC day by outcome (R35) over the last <paramref name="days"/> days
    /// (today included), for a token the actor may see (R5; otherwise not found). Counts are summed
    /// across nodes in the store; this node's not yet written counts are added, so its own recent
    /// requests show at once, another node's after its next flush (<see cref="ApiTokenOptions.LastUsedGranularity"/>).
    /// </summary>
    /// <param name="actor">Who asks.</param>
    /// <param name="tokenId">The token.</param>
    /// <param name="days">1 to <see cref="MaxUsageDays"/>; 30 by default.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>One count per (app, day) with requests, by day then app; or why not (<see cref="ApiTokenErrorCodes.UsageNotSupported"/> when the store keeps no counts, <see cref="SupportsUsage"/>).</returns>
    public async Task<ApiTokenResult<IReadOnlyList<ApiTokenUsageCount>>> GetUsageAsync(ApiTokenActor actor, string tokenId, int days = 30, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        if (_usageStore is null)
        {
            return ApiTokenErrors.UsageNotSupported;
        }

        if (days is < 1 or > MaxUsageDays)
        {
            return ApiTokenErrors.InvalidUsageDays;
        }

        var (token, _, error) = await LoadVisibleAsync(actor, tokenId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var from = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime).AddDays(1 - days);
        var counts = await _uses.ReadUsageAsync(_usageStore, token!.Id, from, cancellationToken).ConfigureAwait(false);
        var sums = new Dictionary<(string App, DateOnly Day), ApiTokenUsageCount>();
        foreach (var count in counts.Where(c => c.Day >= from))
        {
            var key = (count.AppName, count.Day);
            sums[key] = sums.TryGetValue(key, out var known)
                ? known with { Allowed = known.Allowed + count.Allowed, Pending = known.Pending + count.Pending, Denied = known.Denied + count.Denied, Limited = known.Limited + count.Limited }
                : count;
        }

        return ApiTokenResult<IReadOnlyList<ApiTokenUsageCount>>.Success([.. sums.Values.OrderBy(c => c.Day).ThenBy(c => c.AppName, StringComparer.Ordinal)]);
    }
}
