using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Secrets;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>The actor recorded for the token <see cref="ApiTokenBootstrapOptions"/> creates (R36).</summary>
    public const string BootstrapActor = ApiTokenAuditActors.Bootstrap;

    /// <summary>
    /// Imports an existing secret as a token (R36), so clients of another key system keep working:
    /// only an Admin imports; the token obeys every other rule as a created one does (R4 caps its
    /// privilege, R28 counts it). The secret itself is never returned, logged or stored.
    /// </summary>
    /// <param name="actor">The importing admin.</param>
    /// <param name="request">The secret (plain or its SHA-256) and the token to make of it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token, or why it was refused (nothing is created then). A secret any token already has is refused with <see cref="ApiTokenErrorCodes.SecretAlreadyExists"/>, whoever holds it.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> ImportAsync(ApiTokenActor actor, ImportApiTokenRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        ArgumentNullException.ThrowIfNull(request);

        if (ReadImportedSecret(request.Secret, request.SecretSha256) is { Error: { } badSecret })
        {
            return badSecret;
        }

        if (!Enum.IsDefined(request.Type))
        {
            return ApiTokenErrors.InvalidType;
        }

        if (ValidateInput(request.Privilege, request.DefaultAppState, request.Description) is { } invalid)
        {
            return invalid;
        }

        if (request.Type == TokenType.Account && request.OwnerId is not null)
        {
            return ApiTokenErrors.OwnerOfAccountToken;
        }

        if (CheckProtections(request.AllowedNetworks, request.RateLimit, request.Scopes, out var networks, out var scopes) is { } badProtection)
        {
            return badProtection;
        }

        var now = _time.GetUtcNow();
        var (expiresAt, badExpiry) = CheckExpiry(request.ExpiresAt, now);
        if (badExpiry is not null)
        {
            return badExpiry;
        }

        var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return ApiTokenErrors.NotAMember;
        }

        if (role != TokenPrivilege.Admin)
        {
            return ApiTokenErrors.ImportRequiresAdmin;
        }

        string? ownerId = null;
        if (request.Type == TokenType.User)
        {
            ownerId = string.IsNullOrEmpty(request.OwnerId) ? actor.UserId : request.OwnerId;
            if (ownerId.Length > ApiTokenOptions.MaxTokenIdLength
                || await _membership.GetRoleAsync(actor.AccountId, ownerId, cancellationToken).ConfigureAwait(false) is not { } ownerRole)
            {
                return ApiTokenErrors.InvalidOwner;
            }

            // R4 as at creation: a user token is created by its owner, so never above the owner's role.
            if (!TokenAccessPolicy.CanGrant(ownerRole, request.Privilege ?? TokenPrivilege.ReadOnly))
            {
                return ApiTokenErrors.PrivilegeExceedsOwnerRole;
            }
        }

        var (hash, hint, _) = ReadImportedSecret(request.Secret, request.SecretSha256);
        var token = new ApiToken
        {
            Id = ApiTokenSecretCodec.NewId(),
            Type = request.Type,
            AccountId = actor.AccountId,
            OwnerId = ownerId,
            CreatedBy = actor.UserId,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
            Privilege = request.Privilege ?? TokenPrivilege.ReadOnly,
            DefaultAppState = request.DefaultAppState ?? _options.DefaultAppState,
            SecretHash = hash!,
            SecretHint = hint!,
            AllowedNetworks = networks,
            Scopes = scopes,
            SelfRotate = request.SelfRotate,
            RateLimit = request.RateLimit,
        };

        var (saved, error) = await AddAsync(token, actor.UserId, ApiTokenAuditActions.Imported, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(saved!, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Ensures the configured first token exists (R36): an account token of
    /// <see cref="ApiTokenBootstrapOptions.AccountId"/> with the configured secret, created once with
    /// the actor <see cref="BootstrapActor"/>. Idempotent across restarts and across nodes that
    /// start together: the store lets exactly one creation with a secret succeed.
    /// </summary>
    /// <param name="bootstrap">What to ensure.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was found or done.</returns>
    /// <exception cref="InvalidOperationException">The configuration is invalid, the secret is a secret of another active token, or the account is at its quota.</exception>
    public async Task<ApiTokenBootstrapResult> EnsureBootstrapTokenAsync(ApiTokenBootstrapOptions bootstrap, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        if (ApiTokenBootstrapOptions.Validate(bootstrap, _secrets) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var (hash, hint, _) = ReadImportedSecret(bootstrap.Secret, bootstrap.SecretSha256);
        if (await FindBootstrapAsync(bootstrap.AccountId!, hash!, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var token = new ApiToken
        {
            Id = ApiTokenSecretCodec.NewId(),
            Type = TokenType.Account,
            AccountId = bootstrap.AccountId!,
            CreatedBy = BootstrapActor,
            CreatedAt = _time.GetUtcNow(),
            Description = string.IsNullOrEmpty(bootstrap.Description) ? null : bootstrap.Description,
            Privilege = bootstrap.Privilege,
            DefaultAppState = bootstrap.DefaultAppState ?? _options.DefaultAppState,
            SecretHash = hash!,
            SecretHint = hint!,
        };

        var (saved, error) = await AddAsync(token, BootstrapActor, ApiTokenAuditActions.Created, cancellationToken).ConfigureAwait(false);
        if (saved is not null)
        {
            return new ApiTokenBootstrapResult(saved.Id, Created: true, Retired: false);
        }

        if (error!.Code == ApiTokenErrorCodes.SecretAlreadyExists
            && await FindBootstrapAsync(bootstrap.AccountId!, hash!, cancellationToken).ConfigureAwait(false) is { } raced)
        {
            // Another node created it between the lookup and the insert.
            return raced;
        }

        if (error.Code == ApiTokenErrorCodes.SecretAlreadyExists)
        {
            // Stored, yet no active token has it: a retired token does. Retiring the first token is
            // how an operator ends it; it is never brought back.
            return new ApiTokenBootstrapResult(null, Created: false, Retired: true);
        }

        throw new InvalidOperationException($"{ApiTokenBootstrapOptions.SectionName}: {error.Description}");
    }

    // The bootstrap token when an active account token of the account has the secret (also as its
    // previous secret, after a rotation); null when no active token has it. Any other token with it
    // is a configuration error.
    private async Task<ApiTokenBootstrapResult?> FindBootstrapAsync(string accountId, byte[] hash, CancellationToken cancellationToken)
    {
        var found = await _store.FindBySecretHashAsync(hash, includeRetired: false, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        if (found.AccountId != accountId || found.Type != TokenType.Account)
        {
            throw new InvalidOperationException($"{ApiTokenBootstrapOptions.SectionName}: the configured secret is already a secret of another token; configure another secret.");
        }

        return new ApiTokenBootstrapResult(found.Id, Created: false, Retired: false);
    }

    // The stored hash and the hint of an imported secret, or why it cannot be imported.
    private (byte[]? Hash, string? Hint, ApiTokenError? Error) ReadImportedSecret(string? secret, string? secretSha256)
    {
        if ((secret is null) == (secretSha256 is null))
        {
            return (null, null, ApiTokenErrors.ImportSecretChoice);
        }

        if (secret is not null)
        {
            return _secrets.IsImportable(secret)
                ? (ApiTokenSecretCodec.Hash(secret), _secrets.Hint(secret), null)
                : (null, null, ApiTokenErrors.InvalidImportedSecret);
        }

        if (!ApiTokenSecretCodec.IsSha256Hex(secretSha256))
        {
            return (null, null, ApiTokenErrors.InvalidSecretSha256);
        }

        return (Convert.FromHexString(secretSha256!), ImportedHashHint, null);
    }

    // What a person sees of a token imported by its hash: no character of the secret is known.
    internal const string ImportedHashHint = "sha256:****";
}
