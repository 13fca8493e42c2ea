using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Validation;

// R39's writes that requests set off, run after the request and never in its way: the first use of a
// self-rotated token's new secret ends its previous one; a previous secret presented after that is
// reported (and the token retired, if so configured). Each runs in a scope of its own through
// ApiTokenManager, so it is audited and announced like any change.
internal sealed class SelfRotationFollowUps(IServiceScopeFactory scopes, ILogger<SelfRotationFollowUps> logger)
{
    public void NewSecretUsed(string tokenId) => Run(tokenId, static (manager, id) => manager.EndPreviousSecretAsync(id, CancellationToken.None));

    public void PreviousSecretReused(string tokenId) => Run(tokenId, static (manager, id) => manager.PreviousSecretReusedAsync(id, CancellationToken.None));

    private void Run(string tokenId, Func<ApiTokenManager, string, Task> work)
        => _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await work(scope.ServiceProvider.GetRequiredService<ApiTokenManager>(), tokenId).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.SelfRotationFollowUpFailed(logger, ex, tokenId);
            }
        });
}
