
namespace ApiTokens.Management;

// One instance per failure: results carry these, so a failure allocates nothing (the quota
// errors name the configured limit and are built when they happen).
internal static class ApiTokenErrors
{
    public static ApiTokenError TooManyUserTokens(int limit) => new(ApiTokenErrorCodes.TooManyTokens, ApiTokenErrorKind.Conflict, $"You already have {limit} active tokens, the most a member may hold; retire one you no longer use first.");

    public static ApiTokenError TooManyAccountTokens(int limit) => new(ApiTokenErrorCodes.TooManyTokens, ApiTokenErrorKind.Conflict, $"The account already has {limit} active account tokens, the most it may hold; retire one it no longer uses first.");

    public static ApiTokenError LifetimeExceedsMaximum(TimeSpan max) => new(ApiTokenErrorCodes.LifetimeExceedsMaximum, ApiTokenErrorKind.Invalid, $"A token may live at most {Describe(max)}; choose an earlier expiry.");

    public static ApiTokenError InvalidGracePeriod(TimeSpan max) => new(ApiTokenErrorCodes.InvalidGracePeriod, ApiTokenErrorKind.Invalid, $"The grace period must be from 0 seconds to {Describe(max)} ({(long)max.TotalSeconds} seconds).");

    public static readonly ApiTokenError ExpiryInPast = new(ApiTokenErrorCodes.InvalidExpiry, ApiTokenErrorKind.Invalid, "The expiry ('expiresAt') must be in the future.");
    public static readonly ApiTokenError InvalidLifetimeDays = new(ApiTokenErrorCodes.InvalidExpiry, ApiTokenErrorKind.Invalid, $"The lifetime ('lifetimeDays') must be a whole number of days from 1 to {ApiTokenOptions.MaxLifetimeDays}.");
    public static readonly ApiTokenError ExpiryAndLifetime = new(ApiTokenErrorCodes.InvalidExpiry, ApiTokenErrorKind.Invalid, "Send either 'expiresAt' or 'lifetimeDays', not both.");
    public static readonly ApiTokenError AccountEventsRequireAdmin = new(ApiTokenErrorCodes.AccountEventsRequireAdmin, ApiTokenErrorKind.Forbidden, "Only an account admin can read the account's audit trail; read a token's own events instead.");
    public static readonly ApiTokenError TokenExpired = new(ApiTokenErrorCodes.TokenExpired, ApiTokenErrorKind.Conflict, "The token has expired and cannot be changed; it can only be retired.");
    public static readonly ApiTokenError InvalidLimit = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, $"The page size ('limit') must be a whole number from 1 to {ApiTokenPaging.MaxLimit}.");
    public static readonly ApiTokenError InvalidCursor = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "The 'cursor' is not one this service gave out; start again from the first page.");
    public static readonly ApiTokenError InvalidType = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "The token type must be 'user' or 'account'.");
    public static readonly ApiTokenError InvalidPrivilege = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "The privilege must be 'admin', 'normal' or 'readOnly'.");
    public static readonly ApiTokenError InvalidDefaultAppState = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "The default app state must be 'allow', 'pending' or 'deny'.");
    public static readonly ApiTokenError InvalidAppDecision = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "An app's state can be set to 'allow' or 'deny'.");
    public static readonly ApiTokenError DescriptionTooLong = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, $"The description may be at most {ApiTokenOptions.MaxDescriptionLength} characters.");
    public static readonly ApiTokenError InvalidDescription = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "The description may not hold control characters other than tab and newline, nor invisible formatting characters.");
    public static readonly ApiTokenError InvalidAppName = new(ApiTokenErrorCodes.InvalidAppName, ApiTokenErrorKind.Invalid, $"An app name is 1 to {ApiTokenOptions.MaxAppNameLength} characters with no control, invisible formatting (such as bidirectional overrides or zero-width characters) or line-separator characters.");
    public static readonly ApiTokenError NotAMember = new(ApiTokenErrorCodes.NotAMember, ApiTokenErrorKind.Forbidden, "You are not a member of this account.");
    public static readonly ApiTokenError ReadOnlyCannotCreate = new(ApiTokenErrorCodes.ReadOnlyCannotCreate, ApiTokenErrorKind.Forbidden, "Read-only members cannot create tokens.");
    public static readonly ApiTokenError AccountTokenRequiresAdmin = new(ApiTokenErrorCodes.AccountTokenRequiresAdmin, ApiTokenErrorKind.Forbidden, "Only an account admin can create account tokens.");
    public static readonly ApiTokenError PrivilegeExceedsRole = new(ApiTokenErrorCodes.PrivilegeExceedsRole, ApiTokenErrorKind.Forbidden, "A token's privilege cannot be set above your role on the account.");
    public static readonly ApiTokenError PromoteRequiresAdmin = new(ApiTokenErrorCodes.PromoteRequiresAdmin, ApiTokenErrorKind.Forbidden, "Only an account admin can promote a token.");
    public static readonly ApiTokenError NotTokenManager = new(ApiTokenErrorCodes.NotTokenManager, ApiTokenErrorKind.Forbidden, "Only the token's owner or an account admin can change it.");
    public static readonly ApiTokenError TokenNotFound = new(ApiTokenErrorCodes.TokenNotFound, ApiTokenErrorKind.NotFound, "No such token.");
    public static readonly ApiTokenError TokenRetired = new(ApiTokenErrorCodes.TokenRetired, ApiTokenErrorKind.Conflict, "The token is retired and cannot be changed.");
    public static readonly ApiTokenError AlreadyAccountToken = new(ApiTokenErrorCodes.AlreadyAccountToken, ApiTokenErrorKind.Conflict, "The token is already an account token.");
    public static readonly ApiTokenError TooManyApps = new(ApiTokenErrorCodes.TooManyApps, ApiTokenErrorKind.Conflict, "The token already records the most apps it may.");
    public static readonly ApiTokenError VersionMismatch = new(ApiTokenErrorCodes.ConcurrencyConflict, ApiTokenErrorKind.PreconditionFailed, "The token was changed since you read it; nothing was changed. Reload it and try again.");
    public static readonly ApiTokenError ImportSecretChoice = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "Send either 'secret' or 'secretSha256', exactly one of them.");
    public static readonly ApiTokenError InvalidImportedSecret = new(ApiTokenErrorCodes.InvalidSecret, ApiTokenErrorKind.Invalid, $"A secret to import is this service's format with a valid checksum, or {ApiTokens.Secrets.ApiTokenSecretCodec.MinImportedLength} to {ApiTokens.Secrets.ApiTokenSecretCodec.MaxImportedLength} printable ASCII characters without spaces.");
    public static readonly ApiTokenError InvalidSecretSha256 = new(ApiTokenErrorCodes.InvalidSecret, ApiTokenErrorKind.Invalid, "'secretSha256' is the SHA-256 of the secret as 64 lower-case hexadecimal digits.");
    public static readonly ApiTokenError ImportRequiresAdmin = new(ApiTokenErrorCodes.ImportRequiresAdmin, ApiTokenErrorKind.Forbidden, "Only an account admin can import tokens.");
    public static readonly ApiTokenError InvalidOwner = new(ApiTokenErrorCodes.InvalidOwner, ApiTokenErrorKind.Invalid, "The owner ('ownerId') of a user token must be a member of the account.");
    public static readonly ApiTokenError OwnerOfAccountToken = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "An account token has no owner; leave 'ownerId' out.");
    public static readonly ApiTokenError SecretAlreadyExists = new(ApiTokenErrorCodes.SecretAlreadyExists, ApiTokenErrorKind.Conflict, "This secret is already in use here and cannot be imported; issue the client a new one.");
    public static ApiTokenError InvalidNetwork(string? range) => new(ApiTokenErrorCodes.InvalidNetwork, ApiTokenErrorKind.Invalid, range is null
        ? $"'allowedNetworks' holds at most {ApiTokenNetworks.MaxNetworks} CIDR ranges or addresses."
        : $"'{(range.Length > 64 ? range[..64] + "…" : range)}' is not a CIDR range (203.0.113.0/24, 2001:db8::/32) or an address; 'allowedNetworks' holds at most {ApiTokenNetworks.MaxNetworks}.");

    public static readonly ApiTokenError InvalidRateLimit = new(ApiTokenErrorCodes.InvalidRateLimit, ApiTokenErrorKind.Invalid, $"A rate limit is {{\"limit\": 1 to {ApiTokenRateLimit.MaxLimit}, \"windowSeconds\": 1 to {ApiTokenRateLimit.MaxWindowSeconds}}}.");
    public static readonly ApiTokenError InvalidUsageDays = new(ApiTokenErrorCodes.InvalidRequest, ApiTokenErrorKind.Invalid, "'days' must be a whole number from 1 to 90.");
    public static readonly ApiTokenError ConcurrencyConflict = new(ApiTokenErrorCodes.ConcurrencyConflict, ApiTokenErrorKind.Conflict, "The token was changed by another request; reload it and try again.");

    private static string Describe(TimeSpan span)
        => span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.Days} day{(span.Days == 1 ? "" : "s")}" : span.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}
