using System.Collections.Concurrent;
using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Auditing;
using ApiTokens.Membership;
using ApiTokens.Stores;

namespace ApiTokens.Sample;

// People are told (R31, R32): every retirement a leak report or a revocation request makes becomes
// a notice for the token's owner and the account's admins, shown on the page. A real service would
// also send an e-mail or a chat message; the sample keeps the latest notices in memory and writes a
// warning to its log (without the secret, which it never sees).
internal sealed record LeakNotice(string TokenId, string AccountId, string? OwnerId, string? Description, string SecretHint, string ReportedBy, string? Url, string? Source, DateTimeOffset At);

internal sealed class LeakNotices
{
    private const int MaxPerAccount = 100;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<LeakNotice>> _byAccount = new(StringComparer.Ordinal);

    public void Add(LeakNotice notice)
    {
        var queue = _byAccount.GetOrAdd(notice.AccountId, static _ => new());
        queue.Enqueue(notice);
        while (queue.Count > MaxPerAccount && queue.TryDequeue(out _))
        {
        }
    }

    public IEnumerable<LeakNotice> For(string accountId, string userId, bool admin)
        => _byAccount.TryGetValue(accountId, out var queue)
            ? queue.Where(n => admin || n.OwnerId == userId).Reverse()
            : [];
}

internal sealed partial class LeakNotifier(LeakNotices notices, IApiTokenStore store, ILogger<LeakNotifier> logger) : IApiTokenEventHandler
{
    public async Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        if (record.Action != ApiTokenAuditActions.Retired || !(record.Actor.StartsWith("leak-report:", StringComparison.Ordinal) || record.Actor == RevokeApiTokensBody.Actor))
        {
            return;
        }

        var token = await store.FindByIdAsync(record.TokenId, cancellationToken);
        var url = record.Changes.FirstOrDefault(c => c.Field == "url")?.New;
        var source = record.Changes.FirstOrDefault(c => c.Field == "source")?.New;
        notices.Add(new LeakNotice(record.TokenId, record.AccountId, token?.OwnerId ?? token?.FormerOwnerId, token?.Description, token?.SecretHint ?? "", record.Actor, url, source, record.At));
        FoundPublic(logger, record.TokenId, record.AccountId, url ?? "(a revocation request)");
    }

    [LoggerMessage(1001, LogLevel.Warning, "Notify: API token {TokenId} of account {AccountId} was found public at {Url} and retired.")]
    private static partial void FoundPublic(ILogger logger, string tokenId, string accountId, string url);
}

internal static class LeakNoticeEndpoints
{
    public static void MapLeakNotices(this IEndpointRouteBuilder app)
        => app.MapGet("/api/leak-notices", async (HttpContext context, IApiTokenActorResolver resolver, IAccountMembership membership, LeakNotices notices) =>
        {
            if (await resolver.ResolveAsync(context) is not { } actor)
            {
                return Results.Unauthorized();
            }

            var role = await membership.GetRoleAsync(actor.AccountId, actor.UserId, context.RequestAborted);
            if (role is null)
            {
                return Results.Ok(Array.Empty<LeakNotice>());
            }

            return Results.Ok(notices.For(actor.AccountId, actor.UserId, role == TokenPrivilege.Admin).Select(n => new
            {
                tokenId = n.TokenId,
                description = n.Description,
                secretHint = n.SecretHint,
                reportedBy = n.ReportedBy,
                url = n.Url,
                source = n.Source,
                at = n.At,
            }));
        });
}
