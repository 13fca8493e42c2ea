using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Secrets;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>
    /// Rotates a token's secret (R23): a new secret replaces the old one for the same token id, and
    /// everything else (type, owner, privilege, default app state, description, apps and their
    /// decisions) is kept. The previous secret keeps working for the grace period, then fails like an
    /// unknown token; rotating again ends an earlier previous secret at once. Retired and expired
    /// tokens cannot be rotated (<see cref="ApiTokenErrorCodes.TokenRetired"/>,
    /// <see cref="ApiTokenErrorCodes.TokenExpired"/>).
    /// </summary>
    /// <param name="actor">Who rotates it: a manager of the token (R6).</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="request">The grace period and an optional new expiry.</param>
    /// <param name="expectedVersion">
    /// When not <see langword="null"/>, rotate only if the token is still at this
    /// <see cref="ApiToken.Version"/> (an HTTP <c>If-Match</c>); otherwise nothing changes and the
    /// result is <see cref="ApiTokenErrorKind.PreconditionFailed"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token and its new secret (shown once), or why nothing changed.</returns>
    public async Task<ApiTokenResult<CreatedApiToken>> RotateAsync(ApiTokenActor actor, string tokenId, RotateApiTokenRequest request, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        ArgumentNullException.ThrowIfNull(request);

        var grace = request.GracePeriod ?? _options.RotationGracePeriod;
        if (grace < TimeSpan.Zero || grace > _options.MaxRotationGracePeriod)
        {
            return ApiTokenErrors.InvalidGracePeriod(_options.MaxRotationGracePeriod);
        }

        var now = _time.GetUtcNow();
        var (newExpiry, badExpiry) = CheckExpiry(request.ExpiresAt, now);
        if (badExpiry is not null)
        {
            return badExpiry;
        }

        var (token, _, error) = await LoadManageableAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        return await RotateSecretAsync(token!, actor.UserId, grace, newExpiry ?? token!.ExpiresAt, now, cancellationToken).ConfigureAwait(false);
    }

    // R23 (and R39's self-rotation): a new secret for the same token, the previous one kept for the
    // grace period, audited with the hints only — neither secret nor hash is recorded.
    private async Task<ApiTokenResult<CreatedApiToken>> RotateSecretAsync(ApiToken token, string actor, TimeSpan grace, DateTimeOffset? expiresAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var secret = _secrets.Generate();
        var keepPrevious = grace > TimeSpan.Zero;
        var rotated = token with
        {
            SecretHash = ApiTokenSecretCodec.Hash(secret),
            SecretHint = _secrets.Hint(secret),
            PreviousSecretHash = keepPrevious ? token.SecretHash : null,
            PreviousSecretExpiresAt = keepPrevious ? now + grace : null,
            RotatedAt = now,
            ExpiresAt = expiresAt,
        };
        var audit = Audit(
            token,
            actor,
            ApiTokenAuditActions.Rotated,
            Differences(
                new("secretHint", token.SecretHint, rotated.SecretHint),
                new("previousSecretExpiresAt", Wire(token.PreviousSecretExpiresAt), Wire(rotated.PreviousSecretExpiresAt)),
                new("expiresAt", Wire(token.ExpiresAt), Wire(rotated.ExpiresAt))));
        var result = await SaveAsync(rotated, audit, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return result.Error;
        }

        Log.TokenRotated(_logger, token.Id, actor, grace);
        return ApiTokenResult<CreatedApiToken>.Success(new CreatedApiToken(result.Value, secret));
    }
}
