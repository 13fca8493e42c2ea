using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Management;

// R32 through the outbox: a revocation request is written durably (ApiTokenManager.RequestRevocationAsync)
// and answered at once, so the answer takes the same time whatever the secrets were; this service
// handles it off the request — at once on the node that took it (Signal), and once a minute on every
// node (the lease), so a request whose node died before handling it is handled by another node or by
// the same one restarted, within a minute or two. Each request is claimed by one node for a lease; handling it twice (a lease
// that lapsed mid-way) retires nothing twice. The payload holds the actor and the secrets' hashes.
internal sealed partial class RevocationRequests(
    IServiceScopeFactory scopes,
    IServiceProviderIsService registered,
    TimeProvider time,
    ILogger<RevocationRequests> logger) : BackgroundService
{
    public const string Kind = "revocation";

    internal static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(1);
    private const int MaxClaim = 20;

    private readonly SemaphoreSlim _due = new(0, 1);

    public static ApiTokenOutboxMessage Create(IReadOnlyList<string> secrets, string actor, DateTimeOffset now)
    {
        var lines = new string[secrets.Count + 1];
        lines[0] = actor;
        for (var i = 0; i < secrets.Count; i++)
        {
            lines[i + 1] = Convert.ToHexStringLower(ApiTokenSecretCodec.Hash(secrets[i]));
        }

        return new ApiTokenOutboxMessage { Id = ApiTokenSecretCodec.NewId(), Kind = Kind, Payload = string.Join('\n', lines), CreatedAt = now, NextAttemptAt = now };
    }

    // A request was just written on this node: handle it now rather than at the next poll.
    public void Signal()
    {
        try
        {
            _due.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the next round takes every due request.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!registered.IsService(typeof(IApiTokenOutboxStore)))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await HandleDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException)
            {
                LogFailed(logger, ex);
            }

            using var poll = new CancellationTokenSource(PollInterval, time);
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

    // Claims and handles due requests until none is left.
    internal async Task HandleDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var outbox = scope.ServiceProvider.GetRequiredService<IApiTokenOutboxStore>();
                var claimed = await outbox.ClaimAsync(Kind, time.GetUtcNow(), s_lease, MaxClaim, cancellationToken).ConfigureAwait(false);
                if (claimed.Count == 0)
                {
                    return;
                }

                var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();
                foreach (var message in claimed)
                {
                    var lines = message.Payload.Split('\n');
                    var hashes = new byte[lines.Length - 1][];
                    for (var i = 1; i < lines.Length; i++)
                    {
                        hashes[i - 1] = Convert.FromHexString(lines[i]);
                    }

                    await manager.RetireLeakedHashesAsync(hashes, lines[0], cancellationToken).ConfigureAwait(false);
                    await outbox.CompleteAsync(message.Id, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public override void Dispose()
    {
        _due.Dispose();
        base.Dispose();
    }

    [LoggerMessage(21, LogLevel.Warning, "Revocation requests could not be handled now; they stay queued and are tried again.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
