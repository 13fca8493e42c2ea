using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens;

public sealed partial class ApiTokenManager
{
    /// <summary>Changes privilege, default app state, description, allowed networks or rate limit (R4, R6, R9, R33, R34).</summary>
    /// <param name="actor">Who changes it.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="request">The change; <see langword="null"/> properties stay as they are.</param>
    /// <param name="expectedVersion">
    /// When not <see langword="null"/>, change only if the token is still at this
    /// <see cref="ApiToken.Version"/> (an HTTP <c>If-Match</c>); otherwise nothing changes and the
    /// result is <see cref="ApiTokenErrorKind.PreconditionFailed"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed token, or why nothing changed.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> UpdateAsync(ApiTokenActor actor, string tokenId, UpdateApiTokenRequest request, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        ArgumentNullException.ThrowIfNull(request);

        if (ValidateInput(request.Privilege, request.DefaultAppState, request.Description) is { } invalid)
        {
            return invalid;
        }

        if (CheckProtections(request.AllowedNetworks, request.RateLimit, request.Scopes, out var networks, out var scopes) is { } badProtection)
        {
            return badProtection;
        }

        var (token, role, error) = await LoadManageableAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (request.Privilege is { } privilege && !TokenAccessPolicy.CanGrant(role, privilege))
        {
            return ApiTokenErrors.PrivilegeExceedsRole;
        }

        var changed = token! with
        {
            Privilege = request.Privilege ?? token.Privilege,
            DefaultAppState = request.DefaultAppState ?? token.DefaultAppState,
            Description = request.Description is null ? token.Description : (request.Description.Length == 0 ? null : request.Description),
            AllowedNetworks = request.AllowedNetworks is null || networks.SequenceEqual(token.AllowedNetworks, StringComparer.Ordinal) ? token.AllowedNetworks : networks,
            RateLimit = request.RemoveRateLimit ? null : request.RateLimit ?? token.RateLimit,
            Scopes = request.Scopes is null || scopes.SequenceEqual(token.Scopes, StringComparer.Ordinal) ? token.Scopes : scopes,
            SelfRotate = request.SelfRotate ?? token.SelfRotate,
        };

        if (changed == token)
        {
            return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(token, cancellationToken).ConfigureAwait(false));
        }

        var audit = Audit(
            token,
            actor.UserId,
            ApiTokenAuditActions.Updated,
            Differences(
                new("privilege", Wire(token.Privilege), Wire(changed.Privilege)),
                new("defaultAppState", Wire(token.DefaultAppState), Wire(changed.DefaultAppState)),
                new("description", token.Description, changed.Description),
                new("allowedNetworks", WireNetworks(token.AllowedNetworks), WireNetworks(changed.AllowedNetworks)),
                new("rateLimit", token.RateLimit?.ToString(), changed.RateLimit?.ToString()),
                new("scopes", WireNetworks(token.Scopes), WireNetworks(changed.Scopes)),
                new("selfRotate", token.SelfRotate ? "true" : "false", changed.SelfRotate ? "true" : "false")));
        return await SaveAsync(changed, audit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Allows or denies an application under a token (R10), recording it first when it has not been
    /// seen yet (pre-approval or pre-denial).
    /// </summary>
    /// <param name="actor">Who decides.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="appName">The application name (R11).</param>
    /// <param name="state"><see cref="AppState.Allow"/> or <see cref="AppState.Deny"/>.</param>
    /// <param name="expectedVersion">
    /// When not <see langword="null"/>, change only if the token is still at this
    /// <see cref="ApiToken.Version"/> (an HTTP <c>If-Match</c>); otherwise nothing changes and the
    /// result is <see cref="ApiTokenErrorKind.PreconditionFailed"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed token.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> SetAppStateAsync(ApiTokenActor actor, string tokenId, string appName, AppState state, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        if (state is not (AppState.Allow or AppState.Deny))
        {
            return ApiTokenErrors.InvalidAppDecision;
        }

        if (!ApiTokenValidator.IsValidAppName(appName))
        {
            return ApiTokenErrors.InvalidAppName;
        }

        var (token, _, error) = await LoadManageableAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var apps = new List<TokenApp>(token!.Apps.Count + 1);
        var found = false;
        AppState? before = null;
        foreach (var app in token.Apps)
        {
            if (string.Equals(app.Name, appName, StringComparison.Ordinal))
            {
                if (app.State == state)
                {
                    return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(token, cancellationToken).ConfigureAwait(false));
                }

                apps.Add(app with { State = state });
                found = true;
                before = app.State;
            }
            else
            {
                apps.Add(app);
            }
        }

        if (!found)
        {
            if (apps.Count >= _options.MaxAppsPerToken)
            {
                return ApiTokenErrors.TooManyApps;
            }

            apps.Add(new TokenApp(appName, state, _time.GetUtcNow()));
        }

        // "app" names the application (old = null: decided before it was seen).
        var audit = Audit(token, actor.UserId, ApiTokenAuditActions.AppDecided, new("app", found ? appName : null, appName), new("state", before is { } b ? Wire(b) : null, Wire(state)));
        return await SaveAsync(token with { Apps = apps }, audit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Retires a token permanently (R13): from the next request on it fails authentication. Retiring
    /// a retired token changes nothing and succeeds.
    /// </summary>
    /// <param name="actor">Who retires it.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="expectedVersion">
    /// When not <see langword="null"/>, change only if the token is still at this
    /// <see cref="ApiToken.Version"/> (an HTTP <c>If-Match</c>); otherwise nothing changes and the
    /// result is <see cref="ApiTokenErrorKind.PreconditionFailed"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The retired token.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> RetireAsync(ApiTokenActor actor, string tokenId, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        var (token, role, error) = await LoadVisibleAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (!TokenAccessPolicy.CanManage(actor, role, token!))
        {
            return ApiTokenErrors.NotTokenManager;
        }

        if (token!.IsRetired)
        {
            return ApiTokenResult<ApiTokenDetails>.Success(await DetailsAsync(token, cancellationToken).ConfigureAwait(false));
        }

        var result = await SaveAsync(token with { RetiredAt = _time.GetUtcNow(), RetiredBy = actor.UserId }, Audit(token, actor.UserId, ApiTokenAuditActions.Retired, new ApiTokenAuditChange("retired", "false", "true")), cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Log.TokenRetired(_logger, token.Id, actor.UserId);
        }

        return result;
    }

    /// <summary>
    /// Promotes an active user token to an account token (R14). Only an admin may; the secret,
    /// privilege, default app state and apps are kept, the owner is cleared. Irreversible.
    /// </summary>
    /// <param name="actor">Who promotes it.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="expectedVersion">
    /// When not <see langword="null"/>, change only if the token is still at this
    /// <see cref="ApiToken.Version"/> (an HTTP <c>If-Match</c>); otherwise nothing changes and the
    /// result is <see cref="ApiTokenErrorKind.PreconditionFailed"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The promoted token.</returns>
    public async Task<ApiTokenResult<ApiTokenDetails>> PromoteAsync(ApiTokenActor actor, string tokenId, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidActor(actor);
        var (token, role, error) = await LoadVisibleAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (role != TokenPrivilege.Admin)
        {
            return ApiTokenErrors.PromoteRequiresAdmin;
        }

        if (token!.Type == TokenType.Account)
        {
            return ApiTokenErrors.AlreadyAccountToken;
        }

        if (token.IsRetired)
        {
            return ApiTokenErrors.TokenRetired;
        }

        if (token.IsExpiredAt(_time.GetUtcNow()))
        {
            return ApiTokenErrors.TokenExpired;
        }

        var promoted = token with
        {
            Type = TokenType.Account,
            OwnerId = null,
            FormerOwnerId = token.OwnerId,
            PromotedAt = _time.GetUtcNow(),
            PromotedBy = actor.UserId,
        };

        var audit = Audit(token, actor.UserId, ApiTokenAuditActions.Promoted, new("type", Wire(token.Type), Wire(promoted.Type)), new("ownerId", token.OwnerId, null));

        // R28: a promoted token counts against the account's quota, counted by the store in the same
        // atomic step as the write, so racing promotions and creations never exceed it.
        var result = await SaveAsync(promoted, audit, _options.MaxActiveAccountTokens, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Log.TokenPromoted(_logger, token.Id, actor.UserId);
        }

        return result;
    }

    private async ValueTask<(ApiToken? Token, TokenPrivilege Role, ApiTokenError? Error)> LoadManageableAsync(
        ApiTokenActor actor, string tokenId, long? expectedVersion, CancellationToken cancellationToken)
    {
        var loaded = await LoadVisibleAsync(actor, tokenId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (loaded.Error is not null)
        {
            return loaded;
        }

        if (!TokenAccessPolicy.CanManage(actor, loaded.Role, loaded.Token!))
        {
            return (null, loaded.Role, ApiTokenErrors.NotTokenManager);
        }

        if (loaded.Token!.IsRetired)
        {
            return (null, loaded.Role, ApiTokenErrors.TokenRetired);
        }

        if (loaded.Token.IsExpiredAt(_time.GetUtcNow()))
        {
            // R21: an expired token can only be retired.
            return (null, loaded.Role, ApiTokenErrors.TokenExpired);
        }

        return loaded;
    }
}
