using ApiTokens.Management;
using ApiTokens.Secrets;

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
            CreatedAt = _time.GetUtcNow(),
            Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
            Privilege = privilege,
            DefaultAppState = request.DefaultAppState ?? _options.DefaultAppState,
            SecretHash = ApiTokenSecretCodec.Hash(secret),
            SecretHint = _secrets.Hint(secret),
        };

        var limit = token.Type == TokenType.User ? _options.MaxActiveTokensPerUser : _options.MaxActiveAccountTokens;
        if (await _store.TryCreateAsync(token, limit, cancellationToken).ConfigureAwait(false) is not { } saved)
        {
            return token.Type == TokenType.User ? ApiTokenErrors.TooManyUserTokens(limit) : ApiTokenErrors.TooManyAccountTokens(limit);
        }

        Log.TokenCreated(_logger, saved.Id, saved.Type, saved.AccountId, actor.UserId);
        var details = await DetailsAsync(saved, cancellationToken).ConfigureAwait(false);
        return ApiTokenResult<CreatedApiToken>.Success(new CreatedApiToken(details, secret));
    }
}
