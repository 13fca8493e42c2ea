using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ApiTokens.Auditing;
using ApiTokens.Stores;
using ApiTokens.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.Webhooks;

// R37: sends what the outbox holds, off every request. Each round claims the deliveries that are due
// (a claim hides them from every other node for the lease, so each attempt is made by one node), sends
// them — a POST of the event's body with the Standard Webhooks headers, within Timeout, no redirects —
// and writes each outcome: a 2xx delivers; anything else is tried again after the next wait of the
// RetrySchedule, and fails after the last. An endpoint whose attempts have all failed for
// DisableAfter is disabled, with an audit record. A node that dies mid-send leaves its claims to
// lapse: another node sends them again with the same webhook-id (at least once).
//
// Rounds run as soon as an event on this node has written deliveries (it is one of the node's event
// handlers), and every PollInterval for retries and other nodes' work.
internal sealed partial class WebhookSender(
    IServiceScopeFactory scopes,
    IServiceProviderIsService registered,
    IHttpClientFactory clients,
    IDataProtectionProvider protection,
    IOptionsMonitor<ApiTokenWebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService, IApiTokenEventHandler
{
    public const string HttpClientName = "ApiTokens.Webhooks";
    private const int MaxClaim = 32;
    private static readonly TimeSpan s_leaseMargin = TimeSpan.FromSeconds(5);

    private readonly IDataProtector _protector = protection.CreateProtector(ApiTokenWebhookManager.SecretProtectionPurpose);
    private readonly SemaphoreSlim _due = new(0, 1);

    // An event on this node: its deliveries are written; they are sent now rather than at the next poll.
    public Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        if (record.Event is not null)
        {
            Signal();
        }

        return Task.CompletedTask;
    }

    public void Signal()
    {
        try
        {
            _due.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registered.IsService(typeof(IApiTokenWebhookStore)))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await SendDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException)
            {
                LogRoundFailed(logger, ex);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (claimed == MaxClaim)
            {
                continue;
            }

            using var poll = new CancellationTokenSource(options.CurrentValue.PollInterval, time);
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, poll.Token);
            try
            {
                await _due.WaitAsync(wake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // A claim outlasts a round (every send ends within Timeout, the writes after it take little) by the
    // Timeout again, at least 5 s: short enough that a node's crash delays its claims' next attempt by
    // about twice the Timeout, long enough that a healthy round is never sent twice.
    internal static TimeSpan Lease(TimeSpan timeout) => timeout + (timeout > s_leaseMargin ? timeout : s_leaseMargin);

    // One round: claim what is due, send it, write the outcomes. Returns how many were claimed.
    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenWebhookStore>();
            var claimed = await store.ClaimDeliveriesAsync(time.GetUtcNow(), Lease(settings.Timeout), MaxClaim, cancellationToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                return 0;
            }

            // Each endpoint read once per round; the deliveries sent side by side.
            var webhooks = new Dictionary<string, ApiTokenWebhook?>(StringComparer.Ordinal);
            foreach (var delivery in claimed)
            {
                if (!webhooks.ContainsKey(delivery.WebhookId))
                {
                    webhooks[delivery.WebhookId] = await store.FindWebhookAsync(delivery.WebhookId, cancellationToken).ConfigureAwait(false);
                }
            }

            var outcomes = await Task.WhenAll(claimed.Select(d => SendAsync(store, webhooks[d.WebhookId], d, settings, cancellationToken))).ConfigureAwait(false);
            foreach (var (webhookId, succeeded, at) in outcomes.Where(o => o.WebhookId is not null).Select(o => (o.WebhookId!, o.Succeeded, o.At)))
            {
                await RecordOnEndpointAsync(store, webhookId, succeeded, at, settings, cancellationToken).ConfigureAwait(false);
            }

            return claimed.Count;
        }
    }

    private async Task<(string? WebhookId, bool Succeeded, DateTimeOffset At)> SendAsync(IApiTokenWebhookStore store, ApiTokenWebhook? webhook, ApiTokenWebhookDelivery delivery, ApiTokenWebhookOptions settings, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        if (webhook is null)
        {
            // The endpoint was removed (and its deliveries with it).
            return (null, false, at);
        }

        if (!webhook.Enabled && delivery.Type != ApiTokenEventTypes.Test)
        {
            await store.UpdateDeliveryAsync(delivery with { Status = ApiTokenWebhookDeliveryStatus.Failed, NextAttemptAt = null }, cancellationToken).ConfigureAwait(false);
            return (null, false, at);
        }

        var status = await PostAsync(webhook, delivery, at, settings, cancellationToken).ConfigureAwait(false);
        var delivered = status is >= 200 and < 300;
        var attempts = delivery.Attempts + 1;
        var schedule = settings.Schedule;
        var outcome = delivery with
        {
            Attempts = attempts,
            LastStatusCode = status,
            LastAttemptAt = at,
            Status = delivered ? ApiTokenWebhookDeliveryStatus.Delivered : attempts <= schedule.Count ? ApiTokenWebhookDeliveryStatus.Pending : ApiTokenWebhookDeliveryStatus.Failed,
            NextAttemptAt = !delivered && attempts <= schedule.Count ? at + schedule[attempts - 1] : null,
        };
        await store.UpdateDeliveryAsync(outcome, cancellationToken).ConfigureAwait(false);
        if (!delivered)
        {
            LogAttemptFailed(logger, delivery.Id, webhook.Id, status, attempts);
        }

        return (webhook.Id, delivered, at);
    }

    // The POST itself; the receiver's status code, or null when it did not answer (refused address,
    // timeout, connection failure).
    private async Task<int?> PostAsync(ApiTokenWebhook webhook, ApiTokenWebhookDelivery delivery, DateTimeOffset at, ApiTokenWebhookOptions settings, CancellationToken cancellationToken)
    {
        List<string> secrets;
        try
        {
            secrets = Secrets(webhook, at);
        }
        catch (CryptographicException ex)
        {
            // This node's Data Protection keys are not the ones that protected the secret: nothing is
            // sent unsigned; the attempt fails (and is retried, perhaps by a node that has the keys).
            LogSecretUnreadable(logger, ex, webhook.Id);
            return null;
        }

        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var timestamp = at.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", WebhookSignatures.Sign(secrets, delivery.Id, timestamp, body));
        using var timeout = new CancellationTokenSource(settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            client.Timeout = Timeout.InfiniteTimeSpan;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            // Thrown by the connection's address check (WebhookConnections), wrapped by the handler.
            LogAddressRefused(logger, refused, webhook.Id);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    // The secrets that sign now: the current one, and the previous one within its 24 hours.
    private List<string> Secrets(ApiTokenWebhook webhook, DateTimeOffset at)
    {
        List<string> secrets = [_protector.Unprotect(webhook.ProtectedSecret)];
        if (webhook.ProtectedPreviousSecret is { } previous && webhook.PreviousSecretExpiresAt > at)
        {
            secrets.Add(_protector.Unprotect(previous));
        }

        return secrets;
    }

    // The endpoint's failing streak: a success ends it; a failure starts it, and one that has lasted
    // DisableAfter disables the endpoint (audited). Best effort: a change made meanwhile wins.
    private async Task RecordOnEndpointAsync(IApiTokenWebhookStore store, string webhookId, bool succeeded, DateTimeOffset at, ApiTokenWebhookOptions settings, CancellationToken cancellationToken)
    {
        if (await store.FindWebhookAsync(webhookId, cancellationToken).ConfigureAwait(false) is not { } webhook)
        {
            return;
        }

        ApiTokenWebhook? changed = null;
        var disable = false;
        if (succeeded && webhook.FailingSince is not null)
        {
            changed = webhook with { FailingSince = null };
        }
        else if (!succeeded && webhook.FailingSince is null)
        {
            changed = webhook with { FailingSince = at };
        }
        else if (!succeeded && webhook.Enabled && at - webhook.FailingSince >= settings.DisableAfter)
        {
            changed = webhook with { Enabled = false, DisabledReason = $"Every delivery failed since {webhook.FailingSince:O}." };
            disable = true;
        }

        if (changed is null)
        {
            return;
        }

        try
        {
            await store.UpdateWebhookAsync(changed, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiTokenConcurrencyException)
        {
            return;
        }

        if (disable)
        {
            LogDisabled(logger, webhook.Id, webhook.FailingSince!.Value);
            await store.AppendAuditAsync(
                new ApiTokenAuditRecord
                {
                    Id = Guid.NewGuid().ToString("N"),
                    At = at,
                    TokenId = webhook.Id,
                    AccountId = webhook.AccountId,
                    Actor = "policy:webhook-failures",
                    Action = ApiTokenAuditActions.WebhookDisabled,
                    Changes = [new("enabled", "true", "false")],
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _due.Dispose();
        base.Dispose();
    }

    [LoggerMessage(110, LogLevel.Warning, "A round of webhook deliveries could not reach the token store; the deliveries stay and are sent later.")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(111, LogLevel.Information, "Webhook delivery {DeliveryId} to endpoint {WebhookId} failed (status {StatusCode}, attempt {Attempt}).")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, string webhookId, int? statusCode, int attempt);

    [LoggerMessage(112, LogLevel.Warning, "Webhook endpoint {WebhookId} resolves into the service's own network; nothing was sent (ApiTokens:Webhooks:AllowPrivateNetworks is off).")]
    private static partial void LogAddressRefused(ILogger logger, Exception exception, string webhookId);

    [LoggerMessage(114, LogLevel.Error, "The signing secret of webhook endpoint {WebhookId} cannot be read with this node's Data Protection keys; nothing was sent. Every node must share one key ring (docs/webhooks.md).")]
    private static partial void LogSecretUnreadable(ILogger logger, Exception exception, string webhookId);

    [LoggerMessage(113, LogLevel.Warning, "Webhook endpoint {WebhookId} was disabled: every delivery to it failed since {FailingSince:O}.")]
    private static partial void LogDisabled(ILogger logger, string webhookId, DateTimeOffset failingSince);
}
