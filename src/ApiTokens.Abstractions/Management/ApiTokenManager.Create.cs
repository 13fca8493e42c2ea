using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Secrets;
using ApiTokens.Stores;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>
    /// Creates a token (R1–R4, R7, R17), within the quotas of R28. The secret is in the result and
    /// nowhere else.
    /// </summary>
    /// <param name="actor">Who creates it.</param>
    /// <param name="request">What to create.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The token and its secret, or why it was refused (nothing is created then).</returns>
    public async Task<ApiTokenResult<CreatedApiToken>> CreateAsync(ApiTokenActor actor, CreateApiTokenRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        ArgumentNullException.ThrowIfNull(request);

        if (!Enum.IsDefined(request.Type))
        {
            return ApiTokenErrors.InvalidType;
        }

        if (ValidateInput(request.Privilege, request.DefaultAppState, request.Description) is { } invalid)
        {
            return invalid;
        }

        if (CheckProtections(request.AllowedNetworks, request.RateLimit, request.Scopes, out var networks, out var scopes) is { } badProtection)
        {
            return badProtection;
        }

        var now = _time.GetUtcNow();
        if (ResolveExpiry(request, now) is { Error: { } badExpiry })
        {
            return badExpiry;
        }

        var role = await _membership.GetRoleAsync(actor.AccountId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return ApiTokenErrors.NotAMember;
        }

        if (TokenAccessPolicy.CheckCreate(role.Value, request.Type) is { } refused)
        {
            return refused;
        }

        var privilege = request.Privilege ?? TokenPrivilege.ReadOnly;
        if (!TokenAccessPolicy.CanGrant(role.Value, privilege))
        {
            return ApiTokenErrors.PrivilegeExceedsRole;
        }

        var secret = _secrets.Generate();
        var token = new ApiToken
        {
            Id = ApiTokenSecretCodec.NewId(),
            Type = request.Type,
            AccountId = actor.AccountId,
            OwnerId = request.Type == TokenType.User ? actor.UserId : null,
            CreatedBy = actor.UserId,
            CreatedAt = now,
            ExpiresAt = ResolveExpiry(request, now).ExpiresAt,
            Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
            Privilege = privilege,
            DefaultAppState = request.DefaultAppState ?? _options.DefaultAppState,
            SecretHash = ApiTokenSecretCodec.Hash(secret),
            SecretHint = _secrets.Hint(secret),
            AllowedNetworks = networks,
            RateLimit = request.RateLimit,
            Scopes = scopes,
            SelfRotate = request.SelfRotate,
        };

        var (saved, error) = await AddAsync(token, actor.UserId, ApiTokenAuditActions.Created, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var details = await DetailsAsync(saved!, cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<CreatedApiToken>.Success(new CreatedApiToken(details, secret));
    }

    // Adds a new token within its holder's quota (R28) with its creation record (R24), then logs
    // and publishes it. A secret another token has (imports only) is refused without saying whose.
    private async Task<(ApiToken? Saved, ApiTokenError? Error)> AddAsync(ApiToken token, string actor, string action, CancellationToken cancellationToken)
    {
        var limit = token.Type == TokenType.User ? _options.MaxActiveTokensPerUser : _options.MaxActiveAccountTokens;
        var audit = Audit(
            token,
            actor,
            action,
            Differences(
                new("type", null, Wire(token.Type)),
                new("ownerId", null, token.OwnerId),
                new("privilege", null, Wire(token.Privilege)),
                new("defaultAppState", null, Wire(token.DefaultAppState)),
                new("description", null, token.Description),
                new("expiresAt", null, Wire(token.ExpiresAt)),
                new("secretHint", null, token.SecretHint),
                new("allowedNetworks", null, WireNetworks(token.AllowedNetworks)),
                new("rateLimit", null, token.RateLimit?.ToString()),
                new("scopes", null, WireNetworks(token.Scopes)),
                new("selfRotate", null, token.SelfRotate ? "true" : null)));
        audit = await WithEventAsync(audit, token with { Version = 1 }, cancellationToken).ConfigureAwait(false);
        ApiToken? saved;
        try
        {
            saved = await _store.TryCreateAsync(token, limit, audit, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiTokenDuplicateSecretException)
        {
            return (null, ApiTokenErrors.SecretAlreadyExists);
        }

        if (saved is null)
        {
            return (null, token.Type == TokenType.User ? ApiTokenErrors.TooManyUserTokens(limit) : ApiTokenErrors.TooManyAccountTokens(limit));
        }

        Log.TokenCreated(_logger, saved.Id, saved.Type, saved.AccountId, actor);
        await _events.PublishAsync(audit, cancellationToken).ConfigureAwait(false);
        return (saved, null);
    }

    // R33, R34: ranges normalized, a limit in range; the normalized ranges out.
    // R33, R34, R42: the networks and scopes normalized, the rate limit in range.
    private ApiTokenError? CheckProtections(IReadOnlyList<string>? allowedNetworks, ApiTokenRateLimit? rateLimit, IReadOnlyList<string>? requestedScopes, out string[] networks, out string[] scopes)
    {
        scopes = [];
        if (!ApiTokenNetworks.TryNormalize(allowedNetworks, out networks, out var invalid))
        {
            return ApiTokenErrors.InvalidNetwork(allowedNetworks!.Count > ApiTokenNetworks.MaxNetworks ? null : invalid);
        }

        if (!ApiTokenScopes.TryNormalize(requestedScopes, _options.Scopes, out scopes, out var invalidScope))
        {
            return ApiTokenErrors.InvalidScope(invalidScope, _options.Scopes.Count);
        }

        return rateLimit is { IsValid: false } ? ApiTokenErrors.InvalidRateLimit : null;
    }

    private static string? WireNetworks(IReadOnlyList<string> networks) => networks.Count == 0 ? null : string.Join(' ', networks);

    // R21: the expiry a creation asks for, or the configured default; refused when in the past,
    // when both forms are given, or beyond MaxLifetime.
    private (DateTimeOffset? ExpiresAt, ApiTokenError? Error) ResolveExpiry(CreateApiTokenRequest request, DateTimeOffset now)
    {
        if (request.ExpiresAt is not null && request.LifetimeDays is not null)
        {
            return (null, ApiTokenErrors.ExpiryAndLifetime);
        }

        if (request.LifetimeDays is { } days && days is < 1 or > ApiTokenOptions.MaxLifetimeDays)
        {
            return (null, ApiTokenErrors.InvalidLifetimeDays);
        }

        DateTimeOffset? expiresAt = request.ExpiresAt;
        if (request.LifetimeDays is { } lifetimeDays)
        {
            expiresAt = now.AddDays(lifetimeDays);
        }
        else if (expiresAt is null && (_options.DefaultLifetime ?? _options.MaxLifetime) is { } lifetime)
        {
            expiresAt = now + lifetime;
        }

        return CheckExpiry(expiresAt, now);
    }

    private (DateTimeOffset? ExpiresAt, ApiTokenError? Error) CheckExpiry(DateTimeOffset? expiresAt, DateTimeOffset now)
    {
        if (expiresAt is not { } at)
        {
            return (null, null);
        }

        if (at <= now)
        {
            return (null, ApiTokenErrors.ExpiryInPast);
        }

        if (_options.MaxLifetime is { } max && at - now > max)
        {
            return (null, ApiTokenErrors.LifetimeExceedsMaximum(max));
        }

        return (at.ToUniversalTime(), null);
    }
}
