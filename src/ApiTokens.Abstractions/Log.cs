using Microsoft.Extensions.Logging;

namespace ApiTokens;

// Event ids 1–99 belong to ApiTokens.Abstractions. Never log a secret or its hash.
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "API token {TokenId} ({TokenType}) created in account {AccountId} by {UserId}.")]
    public static partial void TokenCreated(ILogger logger, string tokenId, TokenType tokenType, string accountId, string userId);

    [LoggerMessage(2, LogLevel.Information, "API token {TokenId} retired by {UserId}.")]
    public static partial void TokenRetired(ILogger logger, string tokenId, string userId);

    [LoggerMessage(3, LogLevel.Information, "API token {TokenId} promoted to an account token by {UserId}.")]
    public static partial void TokenPromoted(ILogger logger, string tokenId, string userId);

    [LoggerMessage(4, LogLevel.Information, "A change to API token {TokenId} lost a concurrency race and was not applied.")]
    public static partial void ConcurrencyConflict(ILogger logger, string tokenId);

    [LoggerMessage(5, LogLevel.Information, "App {AppName} recorded under API token {TokenId} as {AppState}.")]
    public static partial void AppRecorded(ILogger logger, string appName, string tokenId, AppState appState);

    [LoggerMessage(6, LogLevel.Error, "The API token store failed while validating a token.")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "API token {TokenId} of a removed member could not be retired; it fails authentication, and MemberRemovedAsync can be called again.")]
    public static partial void MemberTokenNotRetired(ILogger logger, Exception exception, string tokenId);

    [LoggerMessage(8, LogLevel.Information, "The cross-node change channel is connected; cached API tokens from before were dropped.")]
    public static partial void ChangeChannelConnected(ILogger logger);

    [LoggerMessage(9, LogLevel.Warning, "The cross-node change channel is down; cached API tokens are served for at most DegradedCacheLifetime until it reconnects.")]
    public static partial void ChangeChannelDisconnected(ILogger logger);

    [LoggerMessage(10, LogLevel.Error, "The API token store did not answer within StoreTimeout while validating a token.")]
    public static partial void StoreTimedOut(ILogger logger);

    [LoggerMessage(11, LogLevel.Information, "API token {TokenId} rotated by {UserId}; the previous secret works for {GracePeriod}.")]
    public static partial void TokenRotated(ILogger logger, string tokenId, string userId, TimeSpan gracePeriod);

    [LoggerMessage(12, LogLevel.Warning, "Last-use times of {Count} API token apps could not be written; they are kept and retried at the next flush.")]
    public static partial void LastUseFlushFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(13, LogLevel.Warning, "The previous secret of API token {TokenId} was used by app {AppName} during its grace period; it stops working at {PreviousSecretExpiresAt:O}.")]
    public static partial void PreviousSecretUsed(ILogger logger, string tokenId, string appName, DateTimeOffset? previousSecretExpiresAt);

    [LoggerMessage(14, LogLevel.Warning, "The event handler {Handler} failed on {Action} of API token {TokenId}; the change stands.")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, string handler, string action, string tokenId);

    [LoggerMessage(15, LogLevel.Warning, "The audit record of {Action} for API token {TokenId} could not be written.")]
    public static partial void AuditAppendFailed(ILogger logger, Exception exception, string action, string tokenId);

    [LoggerMessage(16, LogLevel.Warning, "A background reload of {Count} cached API tokens failed; they are served until their cache lifetime ends.")]
    public static partial void RefreshFailed(ILogger logger, Exception? exception, int count);

    [LoggerMessage(17, LogLevel.Error, "The background reload of cached API tokens stopped on an unexpected error; it starts again with the next entry due, and the entries are served until their cache lifetime ends.")]
    public static partial void RefreshDrainFailed(ILogger logger, Exception exception);

    [LoggerMessage(18, LogLevel.Warning, "The audit record of a refused request to API token {TokenId} could not be written.")]
    public static partial void RefusalNotAudited(ILogger logger, Exception exception, string tokenId);

    [LoggerMessage(19, LogLevel.Warning, "{Count} usage counts could not be written; they are kept for the next flush.")]
    public static partial void UsageFlushFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(20, LogLevel.Warning, "Usage counts older than the retention could not be removed; the next flush tries again.")]
    public static partial void UsagePruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(50, LogLevel.Information, "Lifecycle sweep: {Action} raised for API token {TokenId}.")]
    public static partial void LifecycleEvent(ILogger logger, string action, string tokenId);

    [LoggerMessage(51, LogLevel.Information, "API token {TokenId} retired after {IdleDays} days without use (RetireUnusedAfter).")]
    public static partial void RetiredUnused(ILogger logger, string tokenId, int idleDays);

    [LoggerMessage(52, LogLevel.Warning, "The lifecycle sweep failed; it runs again after LifecycleSweepInterval.")]
    public static partial void LifecycleSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(53, LogLevel.Warning, "API token {TokenId} retired: its previous secret was used after its self-rotation ended it (RetireOnPreviousSecretReuse).")]
    public static partial void RetiredOnReuse(ILogger logger, string tokenId);

    [LoggerMessage(55, LogLevel.Information, "{Count} recently used API tokens read ahead of this node's first requests in {Milliseconds} ms.")]
    public static partial void CacheWarmed(ILogger logger, int count, double milliseconds);

    [LoggerMessage(56, LogLevel.Warning, "The recently used API tokens could not be read ahead; this node's first requests read them from the store.")]
    public static partial void CacheWarmFailed(ILogger logger, Exception exception);

    [LoggerMessage(54, LogLevel.Warning, "A self-rotation follow-up for API token {TokenId} failed (ending its previous secret, or reporting its reuse).")]
    public static partial void SelfRotationFollowUpFailed(ILogger logger, Exception exception, string tokenId);
}
