using Microsoft.Extensions.Logging;

namespace ApiTokens.Auditing;

// Hands each event to every registered IApiTokenEventHandler after its change is durable (R24). A
// handler that throws is logged and forgotten: it never undoes or fails the change.
internal sealed class ApiTokenEventDispatcher
{
    private readonly IApiTokenEventHandler[] _handlers;
    private readonly ILogger _logger;

    public ApiTokenEventDispatcher(IEnumerable<IApiTokenEventHandler> handlers, ILogger<ApiTokenEventDispatcher> logger)
    {
        _handlers = [.. handlers];
        _logger = logger;
    }

    // Management changes: the handlers run before the call returns.
    public async Task PublishAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler.HandleAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.EventHandlerFailed(_logger, ex, handler.GetType().Name, record.Action, record.TokenId);
            }
        }
    }

    // Events on the request path (a first use): the handlers run off it.
    public void PublishInBackground(ApiTokenAuditRecord record)
    {
        if (_handlers.Length > 0)
        {
            _ = Task.Run(() => PublishAsync(record, CancellationToken.None));
        }
    }
}
