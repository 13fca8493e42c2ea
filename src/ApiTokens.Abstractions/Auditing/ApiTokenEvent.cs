namespace ApiTokens.Auditing;

/// <summary>
/// The webhook event of an audited change (R37): its type and its whole JSON body,
/// <c>{"type", "timestamp", "data"}</c>, built by the core when the change is made. A store with
/// webhooks (<see cref="Stores.IApiTokenWebhookStore"/>) writes one delivery per endpoint that takes
/// the type, in the same transaction as the change; other stores ignore it. Never holds a secret.
/// </summary>
/// <param name="Type">The event type, one of <see cref="Webhooks.ApiTokenEventTypes"/>.</param>
/// <param name="Payload">The body every endpoint is sent.</param>
public sealed record ApiTokenEvent(string Type, string Payload)
{
    /// <summary>Prints the type only.</summary>
    /// <returns>The type.</returns>
    public override string ToString() => Type;
}
