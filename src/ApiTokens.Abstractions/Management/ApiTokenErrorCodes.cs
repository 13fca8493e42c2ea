using System.Collections.Frozen;

namespace ApiTokens.Management;

/// <summary>The stable error codes of management operations (docs/management-api.md).</summary>
public static class ApiTokenErrorCodes
{
    // The class of failure of every code: the one place it is said. ApiTokenErrors builds each error
    // with it, and transports that describe their errors before they happen (OpenAPI) read it too.
    private static readonly FrozenDictionary<string, ApiTokenErrorKind> s_kinds = new Dictionary<string, ApiTokenErrorKind>(StringComparer.Ordinal)
    {
        [InvalidRequest] = ApiTokenErrorKind.Invalid,
        [InvalidAppName] = ApiTokenErrorKind.Invalid,
        [InvalidExpiry] = ApiTokenErrorKind.Invalid,
        [LifetimeExceedsMaximum] = ApiTokenErrorKind.Invalid,
        [InvalidGracePeriod] = ApiTokenErrorKind.Invalid,
        [InvalidSecret] = ApiTokenErrorKind.Invalid,
        [InvalidOwner] = ApiTokenErrorKind.Invalid,
        [InvalidNetwork] = ApiTokenErrorKind.Invalid,
        [InvalidScope] = ApiTokenErrorKind.Invalid,
        [InvalidRateLimit] = ApiTokenErrorKind.Invalid,
        [NotAMember] = ApiTokenErrorKind.Forbidden,
        [ReadOnlyCannotCreate] = ApiTokenErrorKind.Forbidden,
        [AccountTokenRequiresAdmin] = ApiTokenErrorKind.Forbidden,
        [PrivilegeExceedsRole] = ApiTokenErrorKind.Forbidden,
        [PromoteRequiresAdmin] = ApiTokenErrorKind.Forbidden,
        [NotTokenManager] = ApiTokenErrorKind.Forbidden,
        [AccountEventsRequireAdmin] = ApiTokenErrorKind.Forbidden,
        [ImportRequiresAdmin] = ApiTokenErrorKind.Forbidden,
        [TokenNotFound] = ApiTokenErrorKind.NotFound,
        [TokenRetired] = ApiTokenErrorKind.Conflict,
        [TokenExpired] = ApiTokenErrorKind.Conflict,
        [AlreadyAccountToken] = ApiTokenErrorKind.Conflict,
        [TooManyApps] = ApiTokenErrorKind.Conflict,
        [TooManyTokens] = ApiTokenErrorKind.Conflict,
        [SecretAlreadyExists] = ApiTokenErrorKind.Conflict,
        [ConcurrencyConflict] = ApiTokenErrorKind.Conflict,
        [InvalidWebhookUrl] = ApiTokenErrorKind.Invalid,
        [InvalidWebhookEvents] = ApiTokenErrorKind.Invalid,
        [WebhooksRequireAdmin] = ApiTokenErrorKind.Forbidden,
        [SelfRotateNotAllowed] = ApiTokenErrorKind.Forbidden,
        [WebhookNotFound] = ApiTokenErrorKind.NotFound,
        [DeliveryNotFound] = ApiTokenErrorKind.NotFound,
        [TooManyWebhooks] = ApiTokenErrorKind.Conflict,
        [WebhooksNotSupported] = ApiTokenErrorKind.NotSupported,
        [AuditNotSupported] = ApiTokenErrorKind.NotSupported,
        [UsageNotSupported] = ApiTokenErrorKind.NotSupported,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The class of failure a code always is (its HTTP status: <see cref="ApiTokenErrorKind"/>), except
    /// <see cref="ConcurrencyConflict"/>, which is <see cref="ApiTokenErrorKind.PreconditionFailed"/>
    /// when an <c>If-Match</c> no longer matches and <see cref="ApiTokenErrorKind.Conflict"/> when a race
    /// was lost.
    /// </summary>
    /// <param name="code">One of this class's codes.</param>
    /// <returns>Its kind.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is not one of this class's codes.</exception>
    public static ApiTokenErrorKind KindOf(string code)
        => s_kinds.TryGetValue(code, out var kind) ? kind : throw new ArgumentException($"'{code}' is not an ApiTokens error code.", nameof(code));

    /// <summary>The request is malformed (unknown enum value, description too long, …).</summary>
    public const string InvalidRequest = nameof(InvalidRequest);

    /// <summary>The application name is empty, longer than 256 characters or holds control characters (R11).</summary>
    public const string InvalidAppName = nameof(InvalidAppName);

    /// <summary>The actor is not a member of the account.</summary>
    public const string NotAMember = nameof(NotAMember);

    /// <summary>ReadOnly members create no tokens (R2).</summary>
    public const string ReadOnlyCannotCreate = nameof(ReadOnlyCannotCreate);

    /// <summary>Only an Admin creates account tokens (R3).</summary>
    public const string AccountTokenRequiresAdmin = nameof(AccountTokenRequiresAdmin);

    /// <summary>The requested privilege is above the actor's role (R4).</summary>
    public const string PrivilegeExceedsRole = nameof(PrivilegeExceedsRole);

    /// <summary>Only an Admin promotes (R14).</summary>
    public const string PromoteRequiresAdmin = nameof(PromoteRequiresAdmin);

    /// <summary>The actor may see the token but not change it (R6).</summary>
    public const string NotTokenManager = nameof(NotTokenManager);

    /// <summary>No such token, or not visible to the actor (R5).</summary>
    public const string TokenNotFound = nameof(TokenNotFound);

    /// <summary>The token is retired and cannot be changed (R13).</summary>
    public const string TokenRetired = nameof(TokenRetired);

    /// <summary>The token is already an account token (R14).</summary>
    public const string AlreadyAccountToken = nameof(AlreadyAccountToken);

    /// <summary>The token already records the most applications it may (R12).</summary>
    public const string TooManyApps = nameof(TooManyApps);

    /// <summary>Another change won a race; re-read and try again (R19).</summary>
    public const string ConcurrencyConflict = nameof(ConcurrencyConflict);

    /// <summary>The actor or account already holds the most active tokens it may (R28).</summary>
    public const string TooManyTokens = nameof(TooManyTokens);

    /// <summary>The token has expired and cannot be changed, only retired (R21).</summary>
    public const string TokenExpired = nameof(TokenExpired);

    /// <summary>The requested expiry is beyond <see cref="ApiTokenOptions.MaxLifetime"/> (R21).</summary>
    public const string LifetimeExceedsMaximum = nameof(LifetimeExceedsMaximum);

    /// <summary>The requested expiry is not in the future, or both an expiry and a lifetime were given (R21).</summary>
    public const string InvalidExpiry = nameof(InvalidExpiry);

    /// <summary>The requested grace period is negative or beyond <see cref="ApiTokenOptions.MaxRotationGracePeriod"/> (R23).</summary>
    public const string InvalidGracePeriod = nameof(InvalidGracePeriod);

    /// <summary>Only an Admin reads the account-wide audit trail (R24).</summary>
    public const string AccountEventsRequireAdmin = nameof(AccountEventsRequireAdmin);

    /// <summary>The secret to import has neither this service's format nor an importable shape, or the SHA-256 is not 64 lower-case hexadecimal digits (R36).</summary>
    public const string InvalidSecret = nameof(InvalidSecret);

    /// <summary>Only an Admin imports tokens (R36).</summary>
    public const string ImportRequiresAdmin = nameof(ImportRequiresAdmin);

    /// <summary>The owner of an imported user token is not a member of the account (R36).</summary>
    public const string InvalidOwner = nameof(InvalidOwner);

    /// <summary>The secret to import is already a secret of a token here; whose is not said (R36).</summary>
    public const string SecretAlreadyExists = nameof(SecretAlreadyExists);

    /// <summary>An allowed network is malformed, has a prefix longer than its address, or there are more than 32 (R33).</summary>
    public const string InvalidNetwork = nameof(InvalidNetwork);

    /// <summary>A scope is malformed or not declared (<see cref="ApiTokenOptions.Scopes"/>), or there are more than 64 (R42).</summary>
    public const string InvalidScope = nameof(InvalidScope);

    /// <summary>A rate limit's <c>limit</c> or <c>windowSeconds</c> is out of range (R34).</summary>
    public const string InvalidRateLimit = nameof(InvalidRateLimit);

    /// <summary>The store does not read the audit trail back (no <c>IApiTokenAuditStore</c>).</summary>
    public const string AuditNotSupported = nameof(AuditNotSupported);

    /// <summary>The store keeps no usage counts (no <c>IApiTokenUsageStore</c>, R35).</summary>
    public const string UsageNotSupported = nameof(UsageNotSupported);

    /// <summary>A webhook URL is not an absolute https URL, or names or resolves to a private, loopback, link-local or unique-local address (R37).</summary>
    public const string InvalidWebhookUrl = nameof(InvalidWebhookUrl);

    /// <summary>A webhook's <c>events</c> names a type that does not exist, twice, or none (R37).</summary>
    public const string InvalidWebhookEvents = nameof(InvalidWebhookEvents);

    /// <summary>Only an Admin manages the account's webhooks (R37).</summary>
    public const string WebhooksRequireAdmin = nameof(WebhooksRequireAdmin);

    /// <summary>No such webhook endpoint in the actor's account (R37).</summary>
    public const string WebhookNotFound = nameof(WebhookNotFound);

    /// <summary>No such delivery for the endpoint (R37).</summary>
    public const string DeliveryNotFound = nameof(DeliveryNotFound);

    /// <summary>The account already has the most webhook endpoints it may (R37).</summary>
    public const string TooManyWebhooks = nameof(TooManyWebhooks);

    /// <summary>The store keeps no webhooks (no <c>IApiTokenWebhookStore</c>).</summary>
    public const string WebhooksNotSupported = nameof(WebhooksNotSupported);

    /// <summary>The presenting token may not rotate itself: it was not created or changed with <c>selfRotate</c> (R39). 403, wire code <c>Forbidden.SelfRotate</c>.</summary>
    public const string SelfRotateNotAllowed = "Forbidden.SelfRotate";
}
