using ApiTokens.Auditing;

namespace ApiTokens.Sample;

// The sample's use of the in-process events (R24): when a new app waits for approval, tell the
// token's owner. A real service would send an e-mail or a chat message; the sample writes a line
// to its log (a warning, so it shows with the default quiet logs).
internal sealed partial class WaitingAppNotifier(ILogger<WaitingAppNotifier> logger) : IApiTokenEventHandler
{
    public Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        if (record.Action == ApiTokenAuditActions.AppFirstSeen && record.Changes.Any(c => c.Field == "state" && c.New == "pending"))
        {
            var app = record.Changes.First(c => c.Field == "app").New;
            WaitsForApproval(logger, app ?? "", record.TokenId, record.AccountId);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(1000, LogLevel.Warning, "Notify: app {AppName} waits for approval under API token {TokenId} of account {AccountId}.")]
    private static partial void WaitsForApproval(ILogger logger, string appName, string tokenId, string accountId);
}
