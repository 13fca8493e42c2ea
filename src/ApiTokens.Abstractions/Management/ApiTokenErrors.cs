
namespace ApiTokens.Management;

// One instance per failure: results carry these, so a failure allocates nothing (the quota
// errors name the configured limit and are built when they happen). Each takes its kind from its
// code (ApiTokenErrorCodes.KindOf), so an error and its description in OpenAPI cannot disagree.
internal static class ApiTokenErrors
{
    public static readonly ApiTokenError AuditNotSupported = E(ApiTokenErrorCodes.AuditNotSupported, "This service's token store does not read the audit trail back.");
    public static readonly ApiTokenError WebhooksNotSupported = E(ApiTokenErrorCodes.WebhooksNotSupported, "This service's token store keeps no webhooks.");
    public static readonly ApiTokenError WebhooksRequireAdmin = E(ApiTokenErrorCodes.WebhooksRequireAdmin, "Only an account admin can manage the account's webhooks.");
    public static readonly ApiTokenError WebhookNotFound = E(ApiTokenErrorCodes.WebhookNotFound, "No such webhook endpoint.");
    public static readonly ApiTokenError DeliveryNotFound = E(ApiTokenErrorCodes.DeliveryNotFound, "No such delivery of this webhook endpoint.");
    public static ApiTokenError TooManyWebhooks(int limit) => E(ApiTokenErrorCodes.TooManyWebhooks, $"The account already has {limit} webhook endpoints, the most it may; remove one it no longer uses first.");
    public static ApiTokenError InvalidWebhookUrl(string why) => E(ApiTokenErrorCodes.InvalidWebhookUrl, why);
    public static readonly ApiTokenError InvalidWebhookEvents = E(ApiTokenErrorCodes.InvalidWebhookEvents, $"'events' lists one or more event types, each once, of: {string.Join(", ", Webhooks.ApiTokenEventTypes.All)}; leave it out for all.");
    public static readonly ApiTokenError WebhookConflict = E(ApiTokenErrorCodes.ConcurrencyConflict, "The webhook endpoint was changed by another request; reload it and try again.");
    public static readonly ApiTokenError UsageNotSupported = E(ApiTokenErrorCodes.UsageNotSupported, "This service's token store keeps no usage counts.");

    public static ApiTokenError TooManyUserTokens(int limit) => E(ApiTokenErrorCodes.TooManyTokens, $"You already have {limit} active tokens, the most a member may hold; retire one you no longer use first.");

    public static ApiTokenError TooManyAccountTokens(int limit) => E(ApiTokenErrorCodes.TooManyTokens, $"The account already has {limit} active account tokens, the most it may hold; retire one it no longer uses first.");

    public static ApiTokenError LifetimeExceedsMaximum(TimeSpan max) => E(ApiTokenErrorCodes.LifetimeExceedsMaximum, $"A token may live at most {Describe(max)}; choose an earlier expiry.");

    public static ApiTokenError InvalidGracePeriod(TimeSpan max) => E(ApiTokenErrorCodes.InvalidGracePeriod, $"The grace period must be from 0 seconds to {Describe(max)} ({(long)max.TotalSeconds} seconds).");

    public static readonly ApiTokenError ExpiryInPast = E(ApiTokenErrorCodes.InvalidExpiry, "The expiry ('expiresAt') must be in the future.");
    public static readonly ApiTokenError InvalidLifetimeDays = E(ApiTokenErrorCodes.InvalidExpiry, $"The lifetime ('lifetimeDays') must be a whole number of days from 1 to {ApiTokenOptions.MaxLifetimeDays}.");
    public static readonly ApiTokenError ExpiryAndLifetime = E(ApiTokenErrorCodes.InvalidExpiry, "Send either 'expiresAt' or 'lifetimeDays', not both.");
    public static readonly ApiTokenError AccountEventsRequireAdmin = E(ApiTokenErrorCodes.AccountEventsRequireAdmin, "Only an account admin can read the account's audit trail; read a token's own events instead.");
    public static readonly ApiTokenError SelfRotateNotAllowed = E(ApiTokenErrorCodes.SelfRotateNotAllowed, "This token may not rotate itself; a manager of the token can allow it ('selfRotate': true) or rotate it.");
    public static readonly ApiTokenError TokenExpired = E(ApiTokenErrorCodes.TokenExpired, "The token has expired and cannot be changed; it can only be retired.");
    public static readonly ApiTokenError InvalidLimit = E(ApiTokenErrorCodes.InvalidRequest, $"The page size ('limit') must be a whole number from 1 to {ApiTokenPaging.MaxLimit}.");
    public static readonly ApiTokenError InvalidCursor = E(ApiTokenErrorCodes.InvalidRequest, "The 'cursor' is not one this service gave out; start again from the first page.");
    public static readonly ApiTokenError InvalidType = E(ApiTokenErrorCodes.InvalidRequest, "The token type must be 'user' or 'account'.");
    public static readonly ApiTokenError InvalidPrivilege = E(ApiTokenErrorCodes.InvalidRequest, "The privilege must be 'admin', 'normal' or 'readOnly'.");
    public static readonly ApiTokenError InvalidDefaultAppState = E(ApiTokenErrorCodes.InvalidRequest, "The default app state must be 'allow', 'pending' or 'deny'.");
    public static readonly ApiTokenError InvalidAppDecision = E(ApiTokenErrorCodes.InvalidRequest, "An app's state can be set to 'allow' or 'deny'.");
    public static readonly ApiTokenError DescriptionTooLong = E(ApiTokenErrorCodes.InvalidRequest, $"The description may be at most {ApiTokenOptions.MaxDescriptionLength} characters.");
    public static readonly ApiTokenError InvalidDescription = E(ApiTokenErrorCodes.InvalidRequest, "The description may not hold control characters other than tab and newline, nor invisible formatting characters.");
    public static readonly ApiTokenError InvalidAppName = E(ApiTokenErrorCodes.InvalidAppName, $"An app name is 1 to {ApiTokenOptions.MaxAppNameLength} characters with no control, invisible formatting (such as bidirectional overrides or zero-width characters) or line-separator characters.");
    public static readonly ApiTokenError NotAMember = E(ApiTokenErrorCodes.NotAMember, "You are not a member of this account.");
    public static readonly ApiTokenError ReadOnlyCannotCreate = E(ApiTokenErrorCodes.ReadOnlyCannotCreate, "Read-only members cannot create tokens.");
    public static readonly ApiTokenError AccountTokenRequiresAdmin = E(ApiTokenErrorCodes.AccountTokenRequiresAdmin, "Only an account admin can create account tokens.");
    public static readonly ApiTokenError PrivilegeExceedsRole = E(ApiTokenErrorCodes.PrivilegeExceedsRole, "A token's privilege cannot be set above your role on the account.");
    public static readonly ApiTokenError PrivilegeExceedsOwnerRole = E(ApiTokenErrorCodes.PrivilegeExceedsRole, "A user token's privilege cannot be set above its owner's role on the account.");
    public static readonly ApiTokenError PromoteRequiresAdmin = E(ApiTokenErrorCodes.PromoteRequiresAdmin, "Only an account admin can promote a token.");
    public static readonly ApiTokenError NotTokenManager = E(ApiTokenErrorCodes.NotTokenManager, "Only the token's owner or an account admin can change it.");
    public static readonly ApiTokenError TokenNotFound = E(ApiTokenErrorCodes.TokenNotFound, "No such token.");
    public static readonly ApiTokenError TokenRetired = E(ApiTokenErrorCodes.TokenRetired, "The token is retired and cannot be changed.");
    public static readonly ApiTokenError AlreadyAccountToken = E(ApiTokenErrorCodes.AlreadyAccountToken, "The token is already an account token.");
    public static readonly ApiTokenError TooManyApps = E(ApiTokenErrorCodes.TooManyApps, "The token already records the most apps it may.");
    public static readonly ApiTokenError VersionMismatch = new(ApiTokenErrorCodes.ConcurrencyConflict, ApiTokenErrorKind.PreconditionFailed, "The token was changed since you read it; nothing was changed. Reload it and try again.");
    public static readonly ApiTokenError ImportSecretChoice = E(ApiTokenErrorCodes.InvalidRequest, "Send either 'secret' or 'secretSha256', exactly one of them.");
    public static readonly ApiTokenError InvalidImportedSecret = E(ApiTokenErrorCodes.InvalidSecret, $"A secret to import is this service's format with a valid checksum, or {ApiTokens.Secrets.ApiTokenSecretCodec.MinImportedLength} to {ApiTokens.Secrets.ApiTokenSecretCodec.MaxImportedLength} printable ASCII characters without spaces.");
    public static readonly ApiTokenError InvalidSecretSha256 = E(ApiTokenErrorCodes.InvalidSecret, "'secretSha256' is the SHA-256 of the secret as 64 lower-case hexadecimal digits.");
    public static readonly ApiTokenError ImportRequiresAdmin = E(ApiTokenErrorCodes.ImportRequiresAdmin, "Only an account admin can import tokens.");
    public static readonly ApiTokenError InvalidOwner = E(ApiTokenErrorCodes.InvalidOwner, "The owner ('ownerId') of a user token must be a member of the account.");
    public static readonly ApiTokenError OwnerOfAccountToken = E(ApiTokenErrorCodes.InvalidRequest, "An account token has no owner; leave 'ownerId' out.");
    public static readonly ApiTokenError SecretAlreadyExists = E(ApiTokenErrorCodes.SecretAlreadyExists, "This secret is already in use here and cannot be imported; issue the client a new one.");
    public static ApiTokenError InvalidNetwork(string? range) => E(ApiTokenErrorCodes.InvalidNetwork, range is null
        ? $"'allowedNetworks' holds at most {ApiTokenNetworks.MaxNetworks} CIDR ranges or addresses."
        : $"'{(range.Length > 64 ? range[..64] + "…" : range)}' is not a CIDR range (203.0.113.0/24, 2001:db8::/32) or an address; 'allowedNetworks' holds at most {ApiTokenNetworks.MaxNetworks}.");

    public static ApiTokenError InvalidScope(string? scope, int declared) => E(ApiTokenErrorCodes.InvalidScope, scope is null
        ? $"'scopes' holds at most {ApiTokenScopes.MaxScopes} scopes."
        : declared == 0
            ? "This service declares no scopes, so a token cannot be narrowed to any."
            : $"'{(scope.Length > 64 ? scope[..64] + "…" : scope)}' is not a scope this service declares (resource:action, or resource:* for every action of a declared resource).");

    public static readonly ApiTokenError InvalidRateLimit = E(ApiTokenErrorCodes.InvalidRateLimit, $"A rate limit is {{\"limit\": 1 to {ApiTokenRateLimit.MaxLimit}, \"windowSeconds\": 1 to {ApiTokenRateLimit.MaxWindowSeconds}}}.");
    public static readonly ApiTokenError InvalidUsageDays = E(ApiTokenErrorCodes.InvalidRequest, "'days' must be a whole number from 1 to 90.");
    public static readonly ApiTokenError ConcurrencyConflict = E(ApiTokenErrorCodes.ConcurrencyConflict, "The token was changed by another request; reload it and try again.");

    private static ApiTokenError E(string code, string description) => new(code, ApiTokenErrorCodes.KindOf(code), description);

    private static string Describe(TimeSpan span)
        => span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.Days} day{(span.Days == 1 ? "" : "s")}" : span.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}
