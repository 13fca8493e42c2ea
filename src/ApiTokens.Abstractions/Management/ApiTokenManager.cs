using ApiTokens.Auditing;
using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Recording;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens;

/// <summary>
/// Every management rule of the token model (R1–R7, R9–R10, R13–R15, R17, R19): create, list, read,
/// change, decide apps, retire and promote, always on behalf of an <see cref="ApiTokenActor"/>.
/// Expected failures are <see cref="ApiTokenResult{T}"/> errors with stable codes; only store
/// failures throw (<see cref="ApiTokenStoreException"/>).
/// </summary>
public sealed partial class ApiTokenManager
{
    private readonly IApiTokenStore _store;
    private readonly IAccountMembership _membership;
    private readonly ApiTokenSecretCodec _secrets;
    private readonly ApiTokenOptions _options;
    private readonly TimeProvider _time;
    private readonly ApiTokenChanges _changes;
    private readonly ILogger _logger;
    private readonly ApiTokenEventDispatcher _events;
    private readonly UseRecorder _uses;
    private readonly RevocationRequests _revocations;
    private readonly IApiTokenBatchLookupStore? _batchStore;
    private readonly IApiTokenAuditStore? _auditStore;
    private readonly IApiTokenUsageStore? _usageStore;
    private readonly IApiTokenOutboxStore? _outboxStore;
    private readonly IApiTokenWebhookStore? _webhookStore;
    private readonly IApiTokenLifecycleStore? _lifecycleStore;

    // Resolved from dependency injection (AddApiTokens registers it), with the node's one change path
    // and event dispatcher, which the validator shares, and the capabilities the store has (each
    // registered by AddStore when the store implements it).
    internal ApiTokenManager(
        IApiTokenStore store,
        IAccountMembership membership,
        ApiTokenSecretCodec secrets,
        IOptions<ApiTokenOptions> options,
        TimeProvider timeProvider,
        ApiTokenChanges changes,
        ApiTokenEventDispatcher events,
        UseRecorder uses,
        RevocationRequests revocations,
        ILogger<ApiTokenManager> logger,
        IApiTokenBatchLookupStore? batchStore = null,
        IApiTokenAuditStore? auditStore = null,
        IApiTokenUsageStore? usageStore = null,
        IApiTokenOutboxStore? outboxStore = null,
        IApiTokenWebhookStore? webhookStore = null,
        IApiTokenLifecycleStore? lifecycleStore = null)
    {
        _webhookStore = webhookStore;
        _lifecycleStore = lifecycleStore;
        _uses = uses;
        _revocations = revocations;
        _batchStore = batchStore;
        _auditStore = auditStore;
        _usageStore = usageStore;
        _outboxStore = outboxStore;
        _store = store;
        _membership = membership;
        _options = options.Value;
        _secrets = secrets;
        _time = timeProvider;
        _changes = changes;
        _logger = logger;
        _events = events;
    }

    /// <summary>Whether the store reads the audit trail back (<see cref="IApiTokenAuditStore"/>): <see cref="ListEventsAsync"/> works.</summary>
    public bool SupportsAuditTrail => _auditStore is not null;

    /// <summary>Whether the store keeps usage counts (<see cref="IApiTokenUsageStore"/>, R35): <see cref="GetUsageAsync"/> works and requests are counted.</summary>
    public bool SupportsUsage => _usageStore is not null;

    /// <summary>Whether the store has an outbox (<see cref="IApiTokenOutboxStore"/>): revocations (R32) are queued durably and answered at once.</summary>
    public bool SupportsOutbox => _outboxStore is not null;

    // Only an active user token's effective privilege depends on its owner's role (R15).
    private static bool NeedsOwnerRole(ApiToken token) => token.Type == TokenType.User && token.OwnerId is not null && !token.IsRetired;

    // Input checks shared by create and update (R4, R7, R29): before any store or membership call.
    private static ApiTokenError? ValidateInput(TokenPrivilege? privilege, AppState? defaultAppState, string? description)
    {
        if (privilege is { } p && !Enum.IsDefined(p))
        {
            return ApiTokenErrors.InvalidPrivilege;
        }

        if (defaultAppState is { } s && !Enum.IsDefined(s))
        {
            return ApiTokenErrors.InvalidDefaultAppState;
        }

        if (description is { Length: > ApiTokenOptions.MaxDescriptionLength })
        {
            return ApiTokenErrors.DescriptionTooLong;
        }

        if (description is not null && !TextRules.IsValidDescription(description))
        {
            return ApiTokenErrors.InvalidDescription;
        }

        return null;
    }

    private async ValueTask<ApiTokenDetails> DetailsAsync(ApiToken token, CancellationToken cancellationToken)
    {
        TokenPrivilege? ownerRole = null;
        if (NeedsOwnerRole(token))
        {
            ownerRole = await _membership.GetRoleAsync(token.AccountId, token.OwnerId!, cancellationToken).ConfigureAwait(false);
        }

        return Details(token, ownerRole, _time.GetUtcNow());
    }

    // The one place a token's details are judged: an expired token (R21) has no effective privilege.
    private static ApiTokenDetails Details(ApiToken token, TokenPrivilege? ownerRole, DateTimeOffset now)
    {
        var expired = token.IsExpiredAt(now);
        return new ApiTokenDetails(token, expired ? null : TokenAccessPolicy.Effective(token, ownerRole), expired);
    }

    // Loads a token the actor may see; anything else is "not found" so existence never leaks (R5).
    private ValueTask<(ApiToken? Token, TokenPrivilege Role, ApiTokenError? Error)> LoadVisibleAsync(
        ApiTokenActor actor, string tokenId, CancellationToken cancellationToken)
        => LoadVisibleAsync(actor, tokenId, expectedVersion: null, cancellationToken);

    // ... and, when the caller names a version (If-Match), still at it: otherwise 412 and no change.
    private async ValueTask<(ApiToken? Token, TokenPrivilege Role, ApiTokenError? Error)> LoadVisibleAsync(
        ApiTokenActor actor, string tokenId, long? expectedVersion, CancellationToken cancellationToken)
    {
        var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return (null, default, ApiTokenErrors.NotAMember);
        }

        if (string.IsNullOrEmpty(tokenId) || tokenId.Length > ApiTokenOptions.MaxTokenIdLength)
        {
            return (null, role.Value, ApiTokenErrors.TokenNotFound);
        }

        var token = await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (token is null || !TokenAccessPolicy.CanSee(actor, role.Value, token))
        {
            return (null, role.Value, ApiTokenErrors.TokenNotFound);
        }

        if (expectedVersion is { } expected && token.Version != expected)
        {
            return (null, role.Value, ApiTokenErrors.VersionMismatch);
        }

        return (token, role.Value, null);
    }

    private Task<ApiTokenResult<ApiTokenDetails>> SaveAsync(ApiToken changed, ApiTokenAuditRecord audit, CancellationToken cancellationToken)
        => SaveAsync(changed, audit, maxActive: null, cancellationToken);

    // maxActive: the holder's quota the change must respect (R28), counted atomically with the write.
    private async Task<ApiTokenResult<ApiTokenDetails>> SaveAsync(ApiToken changed, ApiTokenAuditRecord audit, int? maxActive, CancellationToken cancellationToken)
    {
        ApiToken saved;
        audit = await WithEventAsync(audit, changed with { Version = changed.Version + 1 }, cancellationToken).ConfigureAwait(false);
        try
        {
            if (maxActive is { } max)
            {
                if (await _store.TryUpdateAsync(changed, max, audit, cancellationToken).ConfigureAwait(false) is not { } updated)
                {
                    return changed.Type == TokenType.Account ? ApiTokenErrors.TooManyAccountTokens(max) : ApiTokenErrors.TooManyUserTokens(max);
                }

                saved = updated;
            }
            else
            {
                saved = await _store.UpdateAsync(changed, audit, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ApiTokenConcurrencyException)
        {
            Log.ConcurrencyConflict(_logger, changed.Id);
            return ApiTokenErrors.ConcurrencyConflict;
        }

        NotifyChanged(saved.Id);
        await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(saved, cancellationToken).ConfigureAwait(false));
    }

    // R37: the change's webhook event, when the store delivers webhooks, built from the token as it
    // will be stored (after: its next version) and written with the change.
    private async ValueTask<ApiTokenAuditRecord> WithEventAsync(ApiTokenAuditRecord audit, ApiToken after, CancellationToken cancellationToken)
    {
        if (_webhookStore is null)
        {
            return audit;
        }

        var details = await DetailsAsync(after, cancellationToken).ConfigureAwait(false);
        return Webhooks.WebhookEvents.For(audit, after, details.EffectivePrivilege, details.Expired) is { } e ? audit with { Event = e } : audit;
    }

    // After a durable change: this node's caches at once (R18), other nodes through the notifiers (R26).
    private void NotifyChanged(string tokenId) => _changes.Changed(tokenId);

    // R24: one record per change (AuditRecords builds every record of the core).
    private ApiTokenAuditRecord Audit(ApiToken token, string actor, string action, params ApiTokenAuditChange[] changes)
        => AuditRecords.Create(token.Id, token.AccountId, _time.GetUtcNow(), actor, action, changes);

    private static ApiTokenAuditChange[] Differences(params ApiTokenAuditChange[] changes) => AuditRecords.Differences(changes);

    private static string Wire<TEnum>(TEnum value)
        where TEnum : struct, Enum => AuditRecords.Wire(value);

    private static string? Wire(DateTimeOffset? value) => AuditRecords.Wire(value);

    private static void ThrowIfInvalidActor(ApiTokenActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrEmpty(actor.AccountId);
        ArgumentException.ThrowIfNullOrEmpty(actor.UserId);
    }
}
