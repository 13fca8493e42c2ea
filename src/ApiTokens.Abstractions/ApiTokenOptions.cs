using ApiTokens.Secrets;

namespace ApiTokens;

/// <summary>Options of the token model: defaults, limits and the secret format.</summary>
public sealed class ApiTokenOptions
{
    /// <summary>The largest allowed <see cref="MaxAppsPerToken"/>.</summary>
    public const int MaxAppsPerTokenLimit = 100_000;

    /// <summary>The most characters of a token description.</summary>
    public const int MaxDescriptionLength = 256;

    /// <summary>The most characters of an application name (R11).</summary>
    public const int MaxAppNameLength = 256;

    /// <summary>The most characters of a token id; longer ids are "not found" without store I/O.</summary>
    public const int MaxTokenIdLength = 64;

    /// <summary>The most characters of an account or user id that stores keep.</summary>
    public const int MaxMemberIdLength = 256;

    /// <summary>The longest lifetime any option or request may name, in days (100 years).</summary>
    public const int MaxLifetimeDays = 36_500;

    /// <summary>The longest allowed <see cref="CacheLifetime"/>.</summary>
    public static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromHours(1);

    /// <summary>The default app state of a new token when the request names none (R7). Default: <see cref="AppState.Allow"/>.</summary>
    public AppState DefaultAppState { get; set; } = AppState.Allow;

    /// <summary>The most applications a token records (R12). Default: 1,000.</summary>
    public int MaxAppsPerToken { get; set; } = 1_000;

    /// <summary>The format of newly generated secrets (R17). Default: <see cref="ApiTokenSecretFormat.Prefixed"/>.</summary>
    /// <remarks>
    /// Presented secrets are accepted in the prefixed format always, and as UUIDs only while this is
    /// <see cref="ApiTokenSecretFormat.Uuid"/>.
    /// </remarks>
    public ApiTokenSecretFormat SecretFormat { get; set; } = ApiTokenSecretFormat.Prefixed;

    /// <summary>The prefix of prefixed secrets: 1–16 ASCII letters or digits. Default: <c>apt</c>.</summary>
    public string SecretPrefix { get; set; } = "apt";

    /// <summary>
    /// How long a validated token is cached on this node (R18). Changes made through the SDK on this
    /// node invalidate at once; on other nodes they show within this time. Default: 30 seconds;
    /// <see cref="TimeSpan.Zero"/> disables the cache; at most one hour.
    /// </summary>
    /// <remarks>Follows a reload of the options: the cache starts afresh with the new value.</remarks>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most tokens cached at once (one unit per token). Default: 100,000.</summary>
    /// <remarks>Follows a reload of the options: the cache starts afresh with the new value.</remarks>
    public long CacheSizeLimit { get; set; } = 100_000;

    /// <summary>How long a client should wait after the store failed (<c>Retry-After</c> with 503, R20). Default: 5 seconds; at least 1 second.</summary>
    public TimeSpan StoreRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// While the cross-node change channel is down (R26), cached entries older than this are not
    /// served. Default: 1 second; between 1 millisecond and <see cref="CacheLifetime"/> (or 1 minute).
    /// Used only with a change notifier (<c>AddChangeNotifier&lt;T&gt;()</c>).
    /// </summary>
    public TimeSpan DegradedCacheLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a request waits for the store on a cache miss or a first use before it fails with
    /// 503 (R20: a store that hangs is a failing store). The store call itself goes on for other
    /// requests waiting on it. Default: 2 seconds; between 10 milliseconds and 1 minute.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most active (not retired) user tokens a member may hold in an account (R28). Default: 100.</summary>
    public int MaxActiveTokensPerUser { get; set; } = 100;

    /// <summary>The most active (not retired) account tokens an account may hold (R28). Default: 1,000.</summary>
    public int MaxActiveAccountTokens { get; set; } = 1_000;

    /// <summary>
    /// How many failed authentications a client may have within <see cref="FailureWindow"/> (R27).
    /// Further secrets that are not cached are then refused with
    /// <see cref="Validation.ApiTokenValidationStatus.Throttled"/> (429) without store I/O until the
    /// window passes; tokens the client already uses successfully (cached) keep working. Default: 100;
    /// 0 turns throttling off.
    /// </summary>
    /// <remarks>
    /// Failures are unknown, malformed or retired tokens and missing or invalid app names; a pending or
    /// denied app is the token's decision, not a failure of the client. The client is whatever key the
    /// transport passes (the ASP.NET Core scheme: the remote IP address, see its <c>ClientKey</c> option).
    /// </remarks>
    public int FailureLimit { get; set; } = 100;

    /// <summary>The window <see cref="FailureLimit"/> counts in; it starts at a client's first failure (R27). Default: one minute; between one second and one day.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The lifetime of a token whose creation names no expiry (R21). Default: none (such tokens do not
    /// expire, unless <see cref="MaxLifetime"/> is set). At most <see cref="MaxLifetime"/> when both are set.
    /// </summary>
    public TimeSpan? DefaultLifetime { get; set; }

    /// <summary>
    /// The longest lifetime a token may be given (R21): a creation or rotation asking for more is
    /// refused (400 <c>LifetimeExceedsMaximum</c>), and a creation naming no expiry gets
    /// <see cref="DefaultLifetime"/>, or this when that is not set. Default: none (tokens may live forever).
    /// </summary>
    public TimeSpan? MaxLifetime { get; set; }

    /// <summary>How long the previous secret keeps working after a rotation that names no grace period (R23). Default: one hour.</summary>
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest grace period a rotation may ask for (R23). Default: 7 days; at most 365 days.</summary>
    public TimeSpan MaxRotationGracePeriod { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How precisely <see cref="ApiToken.LastUsedAt"/> and <see cref="TokenApp.LastUsedAt"/> follow
    /// real use (R22): each node writes the uses it collected at most once per this interval, in one
    /// batch, off the request path. Default: 1 minute; between 10 milliseconds and 1 day;
    /// <see cref="TimeSpan.Zero"/> turns recording off.
    /// </summary>
    public TimeSpan LastUsedGranularity { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The rate limit of tokens without one of their own (R34); <see langword="null"/> (the default)
    /// for none. Configuration: <c>ApiTokens:DefaultRateLimit:Limit</c> and
    /// <c>ApiTokens:DefaultRateLimit:WindowSeconds</c>. Without a shared limiter each node counts on
    /// its own, so n nodes allow up to n × the limit.
    /// </summary>
    public ApiTokenRateLimit? DefaultRateLimit { get; set; }

    /// <summary>
    /// How long usage counts per (token, app, UTC day) are kept (R35): 90 days by default, 1 to
    /// 366 days. Older days are removed once a day, off the request path.
    /// </summary>
    public TimeSpan UsageRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Whether requests are counted per (token, app, UTC day) by outcome (R35); on by default.
    /// Counting is also off while <see cref="LastUsedGranularity"/> is zero (it is written with the
    /// last-use batches).
    /// </summary>
    public bool CountUsage { get; set; } = true;

    /// <summary>
    /// The scopes tokens may carry (R42), name (<c>resource:action</c>) → description, as the page and
    /// the OpenAPI document show them. Empty by default: no token can be scoped. Configuration:
    /// <c>"ApiTokens": { "Scopes": { "annotation:read": "Read annotations" } }</c>.
    /// </summary>
    public IDictionary<string, string> Scopes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Whether a scoped token is refused (403 <c>Forbidden.Scope</c>) by endpoints that require a token
    /// but name no scope (R42). Default <see langword="false"/>: such endpoints accept scoped tokens.
    /// </summary>
    public bool RequireScopeForScopedTokens { get; set; }

    /// <summary>The expiry warnings when none are configured: 30, 7 and 1 days before a token expires.</summary>
    public static IReadOnlyList<TimeSpan> DefaultExpiryWarnings { get; } = [TimeSpan.FromDays(30), TimeSpan.FromDays(7), TimeSpan.FromDays(1)];

    /// <summary>
    /// How long before a token's expiry the sweep raises <c>token.expiring</c> (R38), once per threshold;
    /// a token found inside several unraised thresholds raises one event, for the nearest.
    /// <see langword="null"/> (the default) for <see cref="DefaultExpiryWarnings"/>; empty for none.
    /// Configuration: <c>ApiTokens:ExpiryWarnings:0=30.00:00:00</c>, …
    /// </summary>
    public TimeSpan[]? ExpiryWarnings { get; set; }

    /// <summary>
    /// A live token not used for this long (or, never used, not since its creation) raises
    /// <c>token.unused</c> once per idle period (R38). Default: 90 days.
    /// </summary>
    public TimeSpan UnusedWarningAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Live tokens idle this long are retired by the sweep, with the actor <c>policy:unused</c> (R38).
    /// Default <see langword="null"/>: never.
    /// </summary>
    public TimeSpan? RetireUnusedAfter { get; set; }

    /// <summary>
    /// Whether a self-rotating token whose previous secret is presented after it ended is retired
    /// (R39): someone holds a secret the token's automation replaced. Default <see langword="false"/>:
    /// the request is refused and <c>token.previous_secret_reused</c> raised.
    /// </summary>
    public bool RetireOnPreviousSecretReuse { get; set; }

    /// <summary>
    /// How many of the most recently used tokens a node reads at start, ahead of its first requests,
    /// so their first requests find them without store I/O (their lookups, held by the store's hash of
    /// the secret; never a secret). Default: 10,000; 0 turns it off. The node's readiness health check
    /// (<c>apitokens-warm</c>, tag <c>ready</c>) reports ready once this is done.
    /// </summary>
    public int WarmUpTokens { get; set; } = 10_000;

    /// <summary>How often each node runs the lifecycle sweep (R38). Default: 1 hour; <see cref="TimeSpan.Zero"/> turns it off.</summary>
    public TimeSpan LifecycleSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The expiry warnings in force: <see cref="ExpiryWarnings"/>, or <see cref="DefaultExpiryWarnings"/> when not configured.</summary>
    public IReadOnlyList<TimeSpan> ExpiryWarningThresholds => ExpiryWarnings ?? DefaultExpiryWarnings;
}
