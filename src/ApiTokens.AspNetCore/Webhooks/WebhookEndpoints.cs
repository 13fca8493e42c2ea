using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using static ApiTokens.AspNetCore.Endpoints.ManagementRequests;

namespace ApiTokens.AspNetCore.Webhooks;

// The webhook endpoints of the management API (R37, docs/webhooks.md). Each: resolve the actor, read
// the request (ManagementRequests), one manager call, a typed result. No rules here.
internal static class WebhookEndpoints
{
    public static async Task<Results<JsonHttpResult<WebhookResponse[]>, ProblemHttpResult>> ListAsync(HttpContext context, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var result = await manager.ListAsync(actor, context.RequestAborted);
        return result.Succeeded
            ? TypedResults.Json(result.Value.Select(w => WebhookResponse.From(w)).ToArray(), ApiTokenJsonContext.Default.WebhookResponseArray)
            : ManagementProblems.From(context, result.Error);
    }

    public static async Task<Results<JsonHttpResult<WebhookResponse>, ProblemHttpResult>> CreateAsync(HttpContext context, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.CreateWebhookBody);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrEmpty(body!.Url))
        {
            return ManagementProblems.InvalidRequest(context, "The endpoint's 'url' is required.");
        }

        var result = await manager.CreateAsync(actor, body.Url, body.Events, body.Description, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var webhook = result.Value.Webhook;
        context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path.Value!.TrimEnd('/')}/{Uri.EscapeDataString(webhook.Id)}";
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(WebhookResponse.From(webhook, result.Value.Secret), ApiTokenJsonContext.Default.WebhookResponse, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<Results<JsonHttpResult<WebhookResponse>, ProblemHttpResult>> GetAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        return ToResult(context, await manager.GetAsync(actor, id, context.RequestAborted));
    }

    public static async Task<Results<JsonHttpResult<WebhookResponse>, ProblemHttpResult>> UpdateAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var (body, problem) = await ReadBodyAsync(context, ApiTokenJsonContext.Default.UpdateWebhookBody);
        if (problem is not null)
        {
            return problem;
        }

        var request = new UpdateApiTokenWebhookRequest
        {
            Url = body!.Url,
            Events = body.Events,
            ClearEvents = body.EventsSent && body.Events is null,
            Enabled = body.Enabled,
            Description = body.Description,
        };
        return ToResult(context, await manager.UpdateAsync(actor, id, request, context.RequestAborted));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var result = await manager.DeleteAsync(actor, id, context.RequestAborted);
        return result.Succeeded ? TypedResults.NoContent() : ManagementProblems.From(context, result.Error);
    }

    public static async Task<Results<JsonHttpResult<WebhookDeliveryResponse>, ProblemHttpResult>> TestAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver, [FromServices] WebhookSender sender)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var result = await manager.TestAsync(actor, id, context.RequestAborted);
        return Accepted(context, result, sender);
    }

    public static async Task<Results<JsonHttpResult<WebhookDeliveryResponse[]>, ProblemHttpResult>> ListDeliveriesAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        if (ReadPaging(context) is not ({ } limit, var cursor, null))
        {
            return ReadPaging(context).Problem!;
        }

        var list = "deliveries:" + id;
        if (cursor is not null && !PageCursors.TryOpen(context, actor.AccountId, list, cursor, out cursor))
        {
            return InvalidCursor(context);
        }

        var result = await manager.ListDeliveriesAsync(actor, id, cursor, limit, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        var page = result.Value;
        LinkNext(context, limit, page.NextCursor is { } next ? PageCursors.Seal(context, actor.AccountId, list, next) : null);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(page.Items.Select(WebhookDeliveryResponse.From).ToArray(), ApiTokenJsonContext.Default.WebhookDeliveryResponseArray);
    }

    public static async Task<Results<JsonHttpResult<WebhookDeliveryResponse>, ProblemHttpResult>> RetryAsync(HttpContext context, string id, string deliveryId, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver, [FromServices] WebhookSender sender)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        return Accepted(context, await manager.RetryAsync(actor, id, deliveryId, context.RequestAborted), sender);
    }

    public static async Task<Results<JsonHttpResult<WebhookResponse>, ProblemHttpResult>> RotateSecretAsync(HttpContext context, string id, [FromServices] ApiTokenWebhookManager manager, [FromServices] IApiTokenActorResolver resolver)
    {
        if (await resolver.ResolveAsync(context) is not { } actor)
        {
            return ManagementProblems.NotSignedIn(context);
        }

        var result = await manager.RotateSecretAsync(actor, id, context.RequestAborted);
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(WebhookResponse.From(result.Value.Webhook, result.Value.Secret), ApiTokenJsonContext.Default.WebhookResponse);
    }

    private static Results<JsonHttpResult<WebhookResponse>, ProblemHttpResult> ToResult(HttpContext context, ApiTokens.Management.ApiTokenResult<ApiTokenWebhook> result)
        => result.Succeeded
            ? TypedResults.Json(WebhookResponse.From(result.Value), ApiTokenJsonContext.Default.WebhookResponse)
            : ManagementProblems.From(context, result.Error);

    // 202: the delivery is due at once; this node's sender is woken to send it now.
    private static Results<JsonHttpResult<WebhookDeliveryResponse>, ProblemHttpResult> Accepted(HttpContext context, ApiTokens.Management.ApiTokenResult<ApiTokenWebhookDelivery> result, WebhookSender sender)
    {
        if (!result.Succeeded)
        {
            return ManagementProblems.From(context, result.Error);
        }

        sender.Signal();
        return TypedResults.Json(WebhookDeliveryResponse.From(result.Value), ApiTokenJsonContext.Default.WebhookDeliveryResponse, statusCode: StatusCodes.Status202Accepted);
    }
}
