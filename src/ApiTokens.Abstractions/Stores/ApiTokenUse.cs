namespace ApiTokens.Stores;

/// <summary>A successful use of a token with an application, for <see cref="IApiTokenStore.RecordUsesAsync"/> (R22).</summary>
/// <param name="TokenId">The token id.</param>
/// <param name="AppName">The application name.</param>
/// <param name="UsedAt">When it was used.</param>
public sealed record ApiTokenUse(string TokenId, string AppName, DateTimeOffset UsedAt);
