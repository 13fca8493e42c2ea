namespace ApiTokens.Webhooks;

/// <summary>An endpoint with its signing secret, as registration and rotation return it: the only time the secret is shown.</summary>
/// <param name="Webhook">The endpoint.</param>
/// <param name="Secret">The secret, <c>whsec_</c> and base64 of 32 random bytes. Never logged or stored as it is.</param>
public sealed record CreatedApiTokenWebhook(ApiTokenWebhook Webhook, string Secret)
{
    /// <summary>Describes the endpoint, never the secret (a record would print it).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"CreatedApiTokenWebhook {{ Webhook = {Webhook} }}";
}
