namespace ApiTokens.Auditing;

/// <summary>
/// Receives the events of the token system in process (R24), for example to tell an owner that an
/// application waits for approval (<see cref="ApiTokenAuditActions.AppFirstSeen"/> with state
/// <c>pending</c>). Register any number with <c>AddEventHandler&lt;T&gt;()</c>.
/// </summary>
/// <remarks>
/// Called after the change is durable (its audit record is stored), once per handler. A handler that
/// throws is logged and changes nothing: the change stays, and the caller never sees the failure.
/// Handlers of management changes run before the management call returns; handlers of events on the
/// request path (a first use, a previous secret's use) run off it.
/// </remarks>
public interface IApiTokenEventHandler
{
    /// <summary>Handles one event.</summary>
    /// <param name="record">The event, as its audit record.</param>
    /// <param name="cancellationToken">Cancels the handler.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken);
}
