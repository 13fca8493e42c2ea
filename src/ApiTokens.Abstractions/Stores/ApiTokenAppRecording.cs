namespace ApiTokens.Stores;

/// <summary>What <see cref="IApiTokenStore.RecordAppAsync"/> did.</summary>
/// <param name="Token">
/// The token as stored after the call, or <see langword="null"/> when no token has the id.
/// </param>
/// <param name="Recorded">
/// Whether this call added the application. <see langword="false"/> when it was recorded already
/// (by an earlier or a concurrent call, on any node), when the token was at its application limit,
/// or when the token does not exist. Of concurrent first uses of one name, exactly one is
/// <see langword="true"/>.
/// </param>
public readonly record struct ApiTokenAppRecording(ApiToken? Token, bool Recorded);
