using ApiTokens.Webhooks;

namespace ApiTokens.Stores;

/// <summary>
/// A store capability: webhook endpoints and their deliveries (R37). With it, every write of the core
/// contract whose audit record carries an event (<see cref="Auditing.ApiTokenAuditRecord.Event"/>)
/// also writes one pending delivery per endpoint of the record's account that receives the event's
/// type (<see cref="ApiTokenWebhook.Receives"/>), <b>in the same atomic step</b> as the change and its
/// record: a change that lands has its deliveries, a refused one has none, and a crash loses none.
/// </summary>
/// <remarks>
/// A delivery's id is new per (event, endpoint); its <see cref="ApiTokenWebhookDelivery.EventId"/> is the
/// record's id; its body is the event's payload; it is due at once. Deliveries are claimed by one
/// sender at a time (<see cref="ClaimDeliveriesAsync"/>), so several nodes on one store send each
/// attempt once.
/// </remarks>
public interface IApiTokenWebhookStore : IApiTokenStore
{
    /// <summary>Adds an endpoint; its version starts at 1.</summary>
    /// <param name="webhook">The endpoint; its id is unique.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint as stored.</returns>
    Task<ApiTokenWebhook> CreateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces an endpoint if its stored version still equals <paramref name="webhook"/>'s, and
    /// increments it; otherwise throws <see cref="ApiTokenConcurrencyException"/> and changes nothing.
    /// </summary>
    /// <param name="webhook">The changed endpoint, carrying the version it was read at.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint as stored.</returns>
    Task<ApiTokenWebhook> UpdateWebhookAsync(ApiTokenWebhook webhook, CancellationToken cancellationToken);

    /// <summary>Removes an endpoint and its deliveries.</summary>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it existed.</returns>
    Task<bool> DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken);

    /// <summary>Finds an endpoint by id.</summary>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoint, or <see langword="null"/>.</returns>
    Task<ApiTokenWebhook?> FindWebhookAsync(string webhookId, CancellationToken cancellationToken);

    /// <summary>The endpoints of an account, oldest first.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The endpoints.</returns>
    Task<IReadOnlyList<ApiTokenWebhook>> ListWebhooksAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Adds a delivery on its own (a test event), due at its <see cref="ApiTokenWebhookDelivery.NextAttemptAt"/>.</summary>
    /// <param name="delivery">The delivery; its id is unique.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The delivery as stored (with its sequence).</returns>
    Task<ApiTokenWebhookDelivery> AddDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Finds a delivery by id.</summary>
    /// <param name="deliveryId">The delivery.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The delivery, or <see langword="null"/>.</returns>
    Task<ApiTokenWebhookDelivery?> FindDeliveryAsync(string deliveryId, CancellationToken cancellationToken);

    /// <summary>One page of an endpoint's deliveries, newest first (by <see cref="ApiTokenWebhookDelivery.Sequence"/>).</summary>
    /// <param name="webhookId">The endpoint.</param>
    /// <param name="before">Only deliveries with a lower sequence (the next page), or <see langword="null"/>.</param>
    /// <param name="limit">The most deliveries to return, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>At most <paramref name="limit"/> deliveries.</returns>
    Task<IReadOnlyList<ApiTokenWebhookDelivery>> ListDeliveriesAsync(string webhookId, long? before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> pending deliveries due at <paramref name="now"/>, oldest
    /// first: each claimed delivery's next attempt moves to <paramref name="now"/> + <paramref name="lease"/>
    /// atomically, so concurrent claims — in this process or any other — never return one delivery
    /// twice within a lease, and a sender that dies leaves its claims to lapse.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <param name="lease">How long a claim hides the delivery.</param>
    /// <param name="max">The most to claim, at least 1.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The claimed deliveries, as stored after the claim.</returns>
    Task<IReadOnlyList<ApiTokenWebhookDelivery>> ClaimDeliveriesAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a delivery's state after an attempt, or a retry asked for by a person: its attempts,
    /// status, last status code, last attempt and next attempt replace the stored ones. A delivery that
    /// no longer exists (its endpoint was deleted) is ignored.
    /// </summary>
    /// <param name="delivery">The delivery as it now stands.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when it is stored.</returns>
    Task UpdateDeliveryAsync(ApiTokenWebhookDelivery delivery, CancellationToken cancellationToken);
}
