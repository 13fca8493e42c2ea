using ApiTokens.Auditing;
using ApiTokens.Management;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>
    /// The presenting token itself (R39, <c>GET /api/tokens/self</c>): what automation reads to learn
    /// its expiry. The caller has authenticated with the token; nothing of its secret is returned.
    /// </summary>
    /// <param name="tokenId">The authenticated token's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, or <see cref="ApiTokenErrorCodes.TokenNotFound"/> when it is gone.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> GetSelfAsync(string tokenId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var token = await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        return token is null ? ApiTokenErrors.TokenNotFound : ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(token, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Rotates the presenting token's secret (R39, <c>POST /api/tokens/self/rotate</c>), as
    /// <see cref="RotateAsync"/> does for a manager (R23: same id, apps and decisions), when the token
    /// has <see cref="ApiToken.SelfRotate"/>. Without a new expiry a token that had one keeps its
    /// lifetime's length from now (within <see cref="ApiTokenOptions.MaxLifetime"/>). The previous
    /// secret works until the new one's first successful use or <see cref="ApiTokenOptions.RotationGracePeriod"/>.
    /// </summary>
    /// <param name="tokenId">The authenticated token's id.</param>
    /// <param name="expiresAt">A new expiry, or <see langword="null"/>.</param>
    /// <param name="lifetimeDays">A new lifetime in days from now, or <see langword="null"/>; not with <paramref name="expiresAt"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token with its new secret (shown once), or why nothing changed (<see cref="ApiTokenErrorCodes.SelfRotateNotAllowed"/>, …).</returns>
    public async Task<ApiTokenResult<CreatedApiToken>> SelfRotateAsync(string tokenId, DateTimeOffset? expiresAt = null, int? lifetimeDays = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenId);
        var token = await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return ApiTokenErrors.TokenNotFound;
        }

        if (!token.SelfRotate)
        {
            return ApiTokenErrors.SelfRotateNotAllowed;
        }

        var now = _time.GetUtcNow();
        if (token.IsRetired)
        {
            return ApiTokenErrors.TokenRetired;
        }

        if (token.IsExpiredAt(now))
        {
            return ApiTokenErrors.TokenExpired;
        }

        if (expiresAt is not null && lifetimeDays is not null)
        {
            return ApiTokenErrors.ExpiryAndLifetime;
        }

        if (lifetimeDays is { } days && days is < 1 or > ApiTokenOptions.MaxLifetimeDays)
        {
            return ApiTokenErrors.InvalidLifetimeDays;
        }

        // No new expiry: the lifetime the token had, from now, capped by MaxLifetime.
        var wanted = expiresAt ?? (lifetimeDays is { } d ? now.AddDays(d) : null);
        if (wanted is null && token.ExpiresAt is { } old)
        {
            var length = old - (token.RotatedAt ?? token.CreatedAt);
            wanted = now + (_options.MaxLifetime is { } max && length > max ? max : length);
        }

        var (newExpiry, badExpiry) = CheckExpiry(wanted, now);
        if (badExpiry is not null)
        {
            return badExpiry;
        }

        return await RotateSecretAsync(token, "token:" + token.Id, _options.RotationGracePeriod, newExpiry, now, cancellationToken).ConfigureAwait(false);
    }

    // R39: the new secret of a self-rotating token was used: its previous secret ends now, on every node
    // (the change is announced like any other, R26). Once: a token whose previous secret already ended
    // changes nothing.
    internal async Task EndPreviousSecretAsync(string tokenId, CancellationToken cancellationToken)
    {
        var token = await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (token is null || token.PreviousSecretHash is null || token.PreviousSecretExpiresAt is not { } ends || ends <= now)
        {
            return;
        }

        var audit = Audit(token, "token:" + token.Id, ApiTokenAuditActions.PreviousSecretEnded, new ApiTokenAuditChange("previousSecretExpiresAt", Wire(ends), Wire(now)));
        await SaveAsync(token with { PreviousSecretExpiresAt = now }, audit, cancellationToken).ConfigureAwait(false);
    }

    // R39: a self-rotating token's previous secret was presented after it ended: an audit record and
    // the token.previous_secret_reused event (SelfRotationFollowUps calls this at most once a minute per
    // token on this node), and with RetireOnPreviousSecretReuse the token is retired — its secret is
    // held by someone it should not be.
    internal async Task PreviousSecretReusedAsync(string tokenId, CancellationToken cancellationToken)
    {
        var token = await _store.FindByIdAsync(tokenId, cancellationToken).ConfigureAwait(false);
        if (token is null || token.IsRetired)
        {
            return;
        }

        // No change to the token: the record and its event go through the audit trail (the store writes
        // the event's webhook deliveries with the record).
        var audit = await WithEventAsync(Audit(token, ApiTokenAuditActors.PreviousSecretReuse, ApiTokenAuditActions.PreviousSecretReused), token, cancellationToken).ConfigureAwait(false);
        await _store.AppendAuditAsync(audit, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
        if (_options.RetireOnPreviousSecretReuse)
        {
            var retired = await SaveAsync(
                token with { RetiredAt = _time.GetUtcNow(), RetiredBy = ApiTokenAuditActors.PreviousSecretReuse },
                Audit(token, ApiTokenAuditActors.PreviousSecretReuse, ApiTokenAuditActions.Retired, new ApiTokenAuditChange("retired", "false", "true")),
                cancellationToken).ConfigureAwait(false);
            if (retired.Succeeded)
            {
                Log.RetiredOnReuse(_logger, token.Id);
            }
        }
    }
}
