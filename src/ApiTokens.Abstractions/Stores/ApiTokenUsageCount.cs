namespace ApiTokens.Stores;

/// <summary>
/// Requests that presented a token, for one app and one UTC day, by outcome (R35). A store adds
/// these to what it holds: nodes write their own counts and the store sums them.
/// </summary>
/// <param name="TokenId">The token.</param>
/// <param name="AppName">The app the requests named.</param>
/// <param name="Day">The UTC day.</param>
/// <param name="Allowed">Requests served.</param>
/// <param name="Pending">Requests refused because the app waits for approval.</param>
/// <param name="Denied">Requests refused because the app is denied.</param>
/// <param name="Limited">Requests refused by the token's allowed networks or rate limit (R33, R34).</param>
public sealed record ApiTokenUsageCount(string TokenId, string AppName, DateOnly Day, long Allowed, long Pending, long Denied, long Limited);
