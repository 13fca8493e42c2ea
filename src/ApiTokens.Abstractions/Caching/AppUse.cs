using ApiTokens.Validation;

namespace ApiTokens.Caching;

// One (cached token, app) pair that authenticates: its shared success result, and its last-use slot
// (R22). A request marks the slot; the first mark after a flush queues it (once), so a slot costs the
// same however many requests use the pair, and memory stays bounded by what is cached.
internal sealed class AppUse
{
    private int _queued;

    private readonly CachedApiToken _entry;

    public AppUse(ApiTokenValidationResult success, CachedApiToken entry)
    {
        Success = success;
        _entry = entry;
    }

    public ApiTokenValidationResult Success { get; }

    public string TokenId => Success.Token!.TokenId;

    public string AppName => Success.Token!.AppName;

    // The pair authenticated with the previous secret of a rotated token (R23).
    public bool PreviousSecret => _entry.PreviousSecret;

    public DateTimeOffset? PreviousSecretExpiresAt => _entry.PreviousSecretExpiresAt;

    // The first use since the slot was last flushed.
    public DateTimeOffset UsedAt { get; private set; }

    // Whether this call queued the slot: true once per flush interval at most.
    public bool TryMark(TimeProvider time)
    {
        if (Volatile.Read(ref _queued) != 0 || Interlocked.Exchange(ref _queued, 1) != 0)
        {
            return false;
        }

        UsedAt = time.GetUtcNow();
        return true;
    }

    // Called by the flusher after it took the slot from the queue.
    public void Unmark() => Volatile.Write(ref _queued, 0);
}
