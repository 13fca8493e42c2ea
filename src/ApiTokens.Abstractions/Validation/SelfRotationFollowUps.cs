using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Validation;

// R39's writes that requests set off, run after the request and never in its way: the first use of a
// self-rotated token's new secret ends its previous one; a previous secret presented after that is
// reported (and the token retired, if so configured). Each runs in a scope of its own through
// ApiTokenManager, so it is audited and announced like any change.
internal sealed class SelfRotationFollowUps(IServiceScopeFactory scopes, TimeProvider time, ILogger<SelfRotationFollowUps> logger)
{
    // When each token's reuse was last reported: at most once a minute per token on this node.
    private readonly ConcurrentDictionary<string, long> _reported = new(StringComparer.Ordinal);

    public void NewSecretUsed(string tokenId) => Run(tokenId, static (manager, id) => manager.EndPreviousSecretAsync(id, CancellationToken.None));

    public void PreviousSecretReused(string tokenId)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (_reported.TryGetValue(tokenId, out var last) && last == minute)
        {
            return;
        }

        _reported[tokenId] = minute;
        Run(tokenId, static (manager, id) => manager.PreviousSecretReusedAsync(id, CancellationToken.None));
    }

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
