using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Webhooks;

/// <summary>
/// Every rule of an account's webhook endpoints (R37): only its Admins register, read, change, test,
/// retry and remove them; URLs are absolute <c>https</c> URLs off the service's own network (unless
/// <see cref="ApiTokenWebhookOptions.AllowPrivateNetworks"/>); a signing secret is shown once, kept
/// protected by the host's data protection, and a rotation lets the old one sign for 24 hours beside
/// the new. Expected failures are <see cref="ApiTokenResult{T}"/> errors with stable codes.
/// </summary>
public sealed class ApiTokenWebhookManager
{
    /// <summary>The data-protection purpose the endpoints' signing secrets are protected with.</summary>
    public const string SecretProtectionPurpose = "ApiTokens.Webhooks.Secret";
    private const int MaxUrlLength = 2048;
    private static readonly TimeSpan s_previousSecretLifetime = TimeSpan.FromHours(24);

    private readonly IApiTokenWebhookStore? _store;
    private readonly IAccountMembership _membership;
    private readonly IDataProtector _protector;
    private readonly ApiTokenWebhookOptions _options;
    private readonly TimeProvider _time;

    internal ApiTokenWebhookManager(IApiTokenWebhookStore? store, IAccountMembership membership, IDataProtectionProvider protection, IOptions<ApiTokenWebhookOptions> options, TimeProvider time)
    {
        _store = store;
        _membership = membership;
        _protector = protection.CreateProtector(SecretProtectionPurpose);
        _options = options.Value;
        _time = time;
    }

    /// <summary>Registers an endpoint; the response is the only time its secret is shown.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="url">The receiver's URL.</param>
    /// <param name="events">The event types it receives; <see langword="null"/> for all.</param>
    /// <param name="description">A description (at most 256 characters).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint and its secret, or why not.</returns>
    public async Task<ApiTokenResult<CreatedApiTokenWebhook>> CreateAsync(ApiTokenActor actor, string url, IReadOnlyList<string>? events, string? description, CancellationToken cancellationToken = default)
    {
        if (await CheckAsync(actor, url, events, description, cancellationToken).ConfigureAwait(false) is { } error)
        {
            return error;
        }

        var existing = await _store!.ListWebhooksAsync(actor.AccountId, cancellationToken).ConfigureAwait(false);
        if (existing.Count >= _options.MaxEndpointsPerAccount)
        {
            return ApiTokenErrors.TooManyWebhooks(_options.MaxEndpointsPerAccount);
        }

        var secret = NewSecret();
        var now = _time.GetUtcNow();
        var webhook = new ApiTokenWebhook
        {
            Id = ApiTokenSecretCodec.NewId(),
            AccountId = actor.AccountId,
            Url = url,
            Events = events is null ? null : [.. events],
            Description = string.IsNullOrEmpty(description) ? null : description,
            ProtectedSecret = _protector.Protect(secret),
            CreatedBy = actor.UserId,
            CreatedAt = now,
        };
        var stored = await _store.CreateWebhookAsync(webhook, cancellationToken).ConfigureAwait(false);
        await AuditAsync(stored, actor.UserId, ApiTokenAuditActions.WebhookCreated, cancellationToken, new ApiTokenAuditChange("url", null, url)).ConfigureAwait(false);
        return ApiTokenResult<CreatedApiTokenWebhook>.Success(new CreatedApiTokenWebhook(stored, secret));
    }

    /// <summary>The account's endpoints, oldest first.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoints, or why not.</returns>
    public async Task<ApiTokenResult<IReadOnlyList<ApiTokenWebhook>>> ListAsync(ApiTokenActor actor, CancellationToken cancellationToken = default)
    {
        if (await CheckActorAsync(actor, cancellationToken).ConfigureAwait(false) is { } error)
        {
            return error;
        }

        return ApiTokenResult<IReadOnlyList<ApiTokenWebhook>>.Success(await _store!.ListWebhooksAsync(actor.AccountId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads one endpoint of the actor's account; another account's is "not found".</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenWebhook>> GetAsync(ApiTokenActor actor, string webhookId, CancellationToken cancellationToken = default)
    {
        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        return error ?? ApiTokenResult<ApiTokenWebhook>.Success(webhook!);
    }

    /// <summary>Changes an endpoint's URL, events, description or state; enabling it clears why it was disabled.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="request">What to change; absent fields stay.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint as stored, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenWebhook>> UpdateAsync(ApiTokenActor actor, string webhookId, UpdateApiTokenWebhookRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await CheckInputAsync(request.Url, request.ClearEvents ? null : request.Events, request.Description, cancellationToken).ConfigureAwait(false) is { } invalid)
        {
            return invalid;
        }

        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var changed = webhook! with
        {
            Url = request.Url ?? webhook.Url,
            Events = request.ClearEvents ? null : request.Events is { } events ? [.. events] : webhook.Events,
            Description = request.Description is null ? webhook.Description : request.Description.Length == 0 ? null : request.Description,
            Enabled = request.Enabled ?? webhook.Enabled,
            DisabledReason = request.Enabled == true ? null : webhook.DisabledReason,
            FailingSince = request.Enabled == true && !webhook.Enabled ? null : webhook.FailingSince,
        };
        return await SaveAsync(changed, actor.UserId, ApiTokenAuditActions.WebhookUpdated, cancellationToken,
            new ApiTokenAuditChange("url", webhook.Url, changed.Url), new ApiTokenAuditChange("events", Join(webhook.Events), Join(changed.Events)),
            new ApiTokenAuditChange("description", webhook.Description, changed.Description), new ApiTokenAuditChange("enabled", Wire(webhook.Enabled), Wire(changed.Enabled))).ConfigureAwait(false);
    }

    /// <summary>Removes an endpoint and its deliveries.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The removed endpoint, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenWebhook>> DeleteAsync(ApiTokenActor actor, string webhookId, CancellationToken cancellationToken = default)
    {
        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        await _store!.DeleteWebhookAsync(webhook!.Id, cancellationToken).ConfigureAwait(false);
        await AuditAsync(webhook, actor.UserId, ApiTokenAuditActions.WebhookDeleted, cancellationToken, new ApiTokenAuditChange("url", webhook.Url, null)).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenWebhook>.Success(webhook);
    }

    /// <summary>Sends the endpoint a <c>webhook.test</c> event (also while it is disabled, to try it before enabling it).</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The delivery, due at once, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenWebhookDelivery>> TestAsync(ApiTokenActor actor, string webhookId, CancellationToken cancellationToken = default)
    {
        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var now = _time.GetUtcNow();
        var test = WebhookEvents.Test(webhook!.Id, actor.UserId, now);
        var delivery = await _store!.AddDeliveryAsync(
            new ApiTokenWebhookDelivery
            {
                Id = ApiTokenSecretCodec.NewId(),
                WebhookId = webhook.Id,
                AccountId = webhook.AccountId,
                EventId = ApiTokenSecretCodec.NewId(),
                Type = test.Type,
                Payload = test.Payload,
                CreatedAt = now,
                NextAttemptAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenWebhookDelivery>.Success(delivery);
    }

    /// <summary>One page of the endpoint's deliveries, newest first.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="before">Where the page starts: the previous page's <see cref="ApiTokenPage{T}.NextCursor"/>, or <see langword="null"/>.</param>
    /// <param name="limit">1 to <see cref="ApiTokenPaging.MaxLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenPage<ApiTokenWebhookDelivery>>> ListDeliveriesAsync(ApiTokenActor actor, string webhookId, string? before = null, int limit = ApiTokenPaging.DefaultLimit, CancellationToken cancellationToken = default)
    {
        if (limit is < 1 or > ApiTokenPaging.MaxLimit)
        {
            return ApiTokenErrors.InvalidLimit;
        }

        long? sequence = null;
        if (before is not null)
        {
            if (!long.TryParse(before, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return ApiTokenErrors.InvalidCursor;
            }

            sequence = parsed;
        }

        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var page = await _store!.ListDeliveriesAsync(webhook!.Id, sequence, limit + 1, cancellationToken).ConfigureAwait(false);
        var items = page.Count > limit ? page.Take(limit).ToList() : [.. page];
        var next = page.Count > limit ? items[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return ApiTokenResult<ApiTokenPage<ApiTokenWebhookDelivery>>.Success(new ApiTokenPage<ApiTokenWebhookDelivery>(items, next));
    }

    /// <summary>Tries a delivery again now, whatever it stands at; its id (the <c>webhook-id</c>) stays.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="deliveryId">The delivery.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The delivery, due at once, or why not.</returns>
    public async Task<ApiTokenResult<ApiTokenWebhookDelivery>> RetryAsync(ApiTokenActor actor, string webhookId, string deliveryId, CancellationToken cancellationToken = default)
    {
        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(deliveryId) || deliveryId.Length > ApiTokenOptions.MaxTokenIdLength
            || await _store!.FindDeliveryAsync(deliveryId, cancellationToken).ConfigureAwait(false) is not { } delivery
            || delivery.WebhookId != webhook!.Id)
        {
            return ApiTokenErrors.DeliveryNotFound;
        }

        var due = delivery with { Status = ApiTokenWebhookDeliveryStatus.Pending, NextAttemptAt = _time.GetUtcNow() };
        await _store.UpdateDeliveryAsync(due, cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenWebhookDelivery>.Success(due);
    }

    /// <summary>Gives the endpoint a new signing secret, shown once; for 24 hours both secrets sign.</summary>
    /// <param name="actor">An Admin of the account.</param>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint and its new secret, or why not.</returns>
    public async Task<ApiTokenResult<CreatedApiTokenWebhook>> RotateSecretAsync(ApiTokenActor actor, string webhookId, CancellationToken cancellationToken = default)
    {
        var (webhook, error) = await LoadAsync(actor, webhookId, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var secret = NewSecret();
        var changed = webhook! with
        {
            ProtectedSecret = _protector.Protect(secret),
            ProtectedPreviousSecret = webhook.ProtectedSecret,
            PreviousSecretExpiresAt = _time.GetUtcNow() + s_previousSecretLifetime,
        };
        var saved = await SaveAsync(changed, actor.UserId, ApiTokenAuditActions.WebhookSecretRotated, cancellationToken, new ApiTokenAuditChange("previousSecretExpiresAt", null, AuditRecords.Wire(changed.PreviousSecretExpiresAt))).ConfigureAwait(false);
        return saved.Succeeded ? ApiTokenResult<CreatedApiTokenWebhook>.Success(new CreatedApiTokenWebhook(saved.Value, secret)) : saved.Error!;
    }

    // whsec_ and base64 of 32 random bytes (Standard Webhooks' form of a secret).
    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private async Task<ApiTokenResult<ApiTokenWebhook>> SaveAsync(ApiTokenWebhook changed, string actor, string action, CancellationToken cancellationToken, params ApiTokenAuditChange[] changes)
    {
        ApiTokenWebhook saved;
        try
        {
            saved = await _store!.UpdateWebhookAsync(changed, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiTokenConcurrencyException)
        {
            return ApiTokenErrors.WebhookConflict;
        }

        await AuditAsync(saved, actor, action, cancellationToken, AuditRecords.Differences(changes)).ConfigureAwait(false);
        return ApiTokenResult<ApiTokenWebhook>.Success(saved);
    }

    // The account's trail records an endpoint's changes under its id (never its secret).
    private Task AuditAsync(ApiTokenWebhook webhook, string actor, string action, CancellationToken cancellationToken, params ApiTokenAuditChange[] changes)
        => _store!.AppendAuditAsync(AuditRecords.Create(webhook.Id, webhook.AccountId, _time.GetUtcNow(), actor, action, changes), cancellationToken);

    private async ValueTask<(ApiTokenWebhook? Webhook, ApiTokenError? Error)> LoadAsync(ApiTokenActor actor, string webhookId, CancellationToken cancellationToken)
    {
        if (await CheckActorAsync(actor, cancellationToken).ConfigureAwait(false) is { } error)
        {
            return (null, error);
        }

        if (string.IsNullOrEmpty(webhookId) || webhookId.Length > ApiTokenOptions.MaxTokenIdLength
            || await _store!.FindWebhookAsync(webhookId, cancellationToken).ConfigureAwait(false) is not { } webhook
            || webhook.AccountId != actor.AccountId)
        {
            return (null, ApiTokenErrors.WebhookNotFound);
        }

        return (webhook, null);
    }

    private async ValueTask<ApiTokenError?> CheckActorAsync(ApiTokenActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentException.ThrowIfNullOrEmpty(actor.AccountId);
        ArgumentException.ThrowIfNullOrEmpty(actor.UserId);
        if (_store is null)
        {
            return ApiTokenErrors.WebhooksNotSupported;
        }

        return await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false) switch
        {
            null => ApiTokenErrors.NotAMember,
            TokenPrivilege.Admin => null,
            _ => ApiTokenErrors.WebhooksRequireAdmin,
        };
    }

    private async ValueTask<ApiTokenError?> CheckAsync(ApiTokenActor actor, string url, IReadOnlyList<string>? events, string? description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        return await CheckInputAsync(url, events, description, cancellationToken).ConfigureAwait(false)
            ?? await CheckActorAsync(actor, cancellationToken).ConfigureAwait(false);
    }

    // R29 and R37 before any store call: the URL (resolved), the event types, the description.
    private async ValueTask<ApiTokenError?> CheckInputAsync(string? url, IReadOnlyList<string>? events, string? description, CancellationToken cancellationToken)
    {
        if (description is { Length: > ApiTokenOptions.MaxDescriptionLength })
        {
            return ApiTokenErrors.DescriptionTooLong;
        }

        if (description is not null && !TextRules.IsValidDescription(description))
        {
            return ApiTokenErrors.InvalidDescription;
        }

        if (events is not null && (events.Count == 0 || events.Any(e => !ApiTokenEventTypes.All.Contains(e)) || events.Distinct(StringComparer.Ordinal).Count() != events.Count))
        {
            return ApiTokenErrors.InvalidWebhookEvents;
        }

        return url is null ? null : await CheckUrlAsync(url, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ApiTokenError?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        var allowPrivate = _options.AllowPrivateNetworks;
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0
            || !(uri.Scheme == Uri.UriSchemeHttps || (allowPrivate && uri.Scheme == Uri.UriSchemeHttp)))
        {
            return ApiTokenErrors.InvalidWebhookUrl(allowPrivate
                ? "A webhook URL is an absolute http or https URL without user information or a fragment, at most 2048 characters."
                : "A webhook URL is an absolute https URL without user information or a fragment, at most 2048 characters.");
        }

        if (allowPrivate)
        {
            return null;
        }

        // Checked again at every send; here so a member hears at once. A name that does not resolve
        // now is accepted: its sends fail until it does, and are checked then.
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                addresses = [];
            }
        }

        return addresses.Any(ApiTokenWebhookAddresses.IsForbidden)
            ? ApiTokenErrors.InvalidWebhookUrl("A webhook URL may not name or resolve to a private, loopback, link-local or unique-local address: the service does not call its own network.")
            : null;
    }

    private static string? Join(IReadOnlyList<string>? values) => values is null ? null : string.Join(",", values);

    private static string Wire(bool value) => value ? "true" : "false";
}
