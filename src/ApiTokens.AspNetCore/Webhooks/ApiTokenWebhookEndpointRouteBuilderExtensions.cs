using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.AspNetCore.OpenApi;
using ApiTokens.AspNetCore.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static ApiTokens.Management.ApiTokenErrorCodes;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the webhook endpoints of the management API (R37, docs/webhooks.md).</summary>
public static class ApiTokenWebhookEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>GET/POST {prefix}</c>, <c>GET/PATCH/DELETE {prefix}/{id}</c>, <c>POST {prefix}/{id}/test</c>,
    /// <c>GET {prefix}/{id}/deliveries</c>, <c>POST {prefix}/{id}/deliveries/{deliveryId}/retry</c> and
    /// <c>POST {prefix}/{id}/rotate-secret</c> for the Admins of the signed-in member's account. The
    /// events are sent by a hosted service that <c>AddAuthentication().AddApiTokens()</c> registers,
    /// when the store has webhooks (both shipped stores do).
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix, for example <c>/api/webhooks</c>.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapApiTokenWebhooks(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ApiTokens.AspNetCore.ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoints.ServiceProvider, nameof(MapApiTokenWebhooks));

        var group = endpoints.MapGroup(prefix)
            .WithTags("Webhooks")
            .AddEndpointFilter(ApiTokenEndpoints.StoreFailureFilter)
            .DisallowCrossOriginBrowserRequests();
        EndpointError[] admin = Codes(WebhooksRequireAdmin, WebhooksNotSupported), found = Codes(WebhooksRequireAdmin, WebhooksNotSupported, WebhookNotFound);

        new ManagementOperation { Errors = admin }.ApplyTo(
            group.MapGet("/", WebhookEndpoints.ListAsync)
                .WithName("Webhooks_List").WithSummary("Lists the account's webhook endpoints (admins only).")
                .Produces<WebhookResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation
        {
            Body = typeof(CreateWebhookBody), Created = true, WebhookSecret = true,
            Errors = [.. admin, .. Codes(InvalidWebhookUrl, InvalidWebhookEvents, TooManyWebhooks)],
        }.ApplyTo(
            group.MapPost("/", WebhookEndpoints.CreateAsync)
                .WithName("Webhooks_Create").WithSummary("Registers an endpoint; the response is the only time its signing secret is shown.")
                .Produces<WebhookResponse>(StatusCodes.Status201Created, "application/json"));

        new ManagementOperation { Errors = found }.ApplyTo(
            group.MapGet("/{id}", WebhookEndpoints.GetAsync)
                .WithName("Webhooks_Get").WithSummary("Reads one endpoint.")
                .Produces<WebhookResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Body = typeof(UpdateWebhookBody), Errors = [.. found, .. Codes(InvalidWebhookUrl, InvalidWebhookEvents, ConcurrencyConflict)] }.ApplyTo(
            group.MapPatch("/{id}", WebhookEndpoints.UpdateAsync)
                .WithName("Webhooks_Update").WithSummary("Changes an endpoint's URL, events, description, or enables or disables it.")
                .Produces<WebhookResponse>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Errors = found }.ApplyTo(
            group.MapDelete("/{id}", WebhookEndpoints.DeleteAsync)
                .WithName("Webhooks_Delete").WithSummary("Removes an endpoint and its deliveries.")
                .Produces(StatusCodes.Status204NoContent));

        new ManagementOperation { Errors = found }.ApplyTo(
            group.MapPost("/{id}/test", WebhookEndpoints.TestAsync)
                .WithName("Webhooks_Test").WithSummary("Sends the endpoint a webhook.test event now.")
                .Produces<WebhookDeliveryResponse>(StatusCodes.Status202Accepted, "application/json"));

        new ManagementOperation { Paged = true, Errors = found }.ApplyTo(
            group.MapGet("/{id}/deliveries", WebhookEndpoints.ListDeliveriesAsync)
                .WithName("Webhooks_ListDeliveries").WithSummary("The endpoint's deliveries, newest first.")
                .Produces<WebhookDeliveryResponse[]>(StatusCodes.Status200OK, "application/json"));

        new ManagementOperation { Errors = [.. found, .. Codes(DeliveryNotFound)] }.ApplyTo(
            group.MapPost("/{id}/deliveries/{deliveryId}/retry", WebhookEndpoints.RetryAsync)
                .WithName("Webhooks_Retry").WithSummary("Tries a delivery again now, with the same webhook-id.")
                .Produces<WebhookDeliveryResponse>(StatusCodes.Status202Accepted, "application/json"));

        new ManagementOperation { WebhookSecret = true, Errors = [.. found, .. Codes(ConcurrencyConflict)] }.ApplyTo(
            group.MapPost("/{id}/rotate-secret", WebhookEndpoints.RotateSecretAsync)
                .WithName("Webhooks_RotateSecret").WithSummary("Gives the endpoint a new signing secret, shown once; the old one signs too for 24 hours.")
                .Produces<WebhookResponse>(StatusCodes.Status200OK, "application/json"));

        return group;
    }

    private static EndpointError[] Codes(params string[] codes) => [.. codes.Select(EndpointError.Management)];
}
