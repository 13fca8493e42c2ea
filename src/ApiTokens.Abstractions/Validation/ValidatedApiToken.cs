
namespace ApiTokens.Validation;

/// <summary>What an authenticated request knows about its token: enough to build a principal.</summary>
public sealed class ValidatedApiToken
{
    /// <summary>Creates the value.</summary>
    /// <param name="token">The token.</param>
    /// <param name="effectivePrivilege">The effective privilege (R15).</param>
    /// <param name="appName">The application name the request presented.</param>
    public ValidatedApiToken(ApiToken token, TokenPrivilege effectivePrivilege, string appName)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(appName);
        TokenId = token.Id;
        Type = token.Type;
        AccountId = token.AccountId;
        OwnerId = token.OwnerId;
        EffectivePrivilege = effectivePrivilege;
        AppName = appName;
        Scopes = token.Scopes;
        CreatedAt = token.CreatedAt;
        ExpiresAt = token.ExpiresAt;
    }

    internal ValidatedApiToken(string tokenId, TokenType type, string accountId, string? ownerId, TokenPrivilege effectivePrivilege, string appName, string[] scopes, DateTimeOffset createdAt, DateTimeOffset? expiresAt)
    {
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        TokenId = tokenId;
        Type = type;
        AccountId = accountId;
        OwnerId = ownerId;
        EffectivePrivilege = effectivePrivilege;
        AppName = appName;
        Scopes = scopes;
    }

    /// <summary>When the token was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the token expires (R21), or <see langword="null"/> if it does not.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The token id.</summary>
    public string TokenId { get; }

    /// <summary>User or account token.</summary>
    public TokenType Type { get; }

    /// <summary>The account.</summary>
    public string AccountId { get; }

    /// <summary>The owner of a user token.</summary>
    public string? OwnerId { get; }

    /// <summary>What the request may do (R15, R16).</summary>
    public TokenPrivilege EffectivePrivilege { get; }

    /// <summary>The application name.</summary>
    public string AppName { get; }

    /// <summary>The scopes the token is narrowed to (R42); empty when it is not (every endpoint its privilege allows).</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>
    /// Returns the value an authentication handler keeps with this validated (token, app) pair,
    /// creating it on first use: for example the claims identity its requests share. The validator
    /// hands out one instance per cached pair, so the value is built once and lives exactly as long
    /// as the pair is cached.
    /// </summary>
    /// <typeparam name="T">The value's type. The pair keeps one value: when it already holds a value
    /// of another type, <paramref name="create"/> runs on every call and nothing is kept.</typeparam>
    /// <param name="create">Builds the value; may run more than once when requests race, and the first
    /// value stored wins.</param>
    /// <returns>The kept value.</returns>
    /// <remarks>
    /// A field on the pair rather than a <c>ConditionalWeakTable</c>: each table entry is a
    /// dependent GC handle, and every garbage collection scans them all — with 100,000 cached pairs that
    /// added about 5 ms to each gen-0 collection (benchmarks/README.md, section 4).
    /// </remarks>
    public T GetOrAddState<T>(Func<ValidatedApiToken, T> create)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        switch (Volatile.Read(ref _state))
        {
            case T kept:
                return kept;
            case null:
                var created = create(this);
                return Interlocked.CompareExchange(ref _state, created, null) switch
                {
                    null => created,
                    T other => other,
                    _ => created,
                };
            default:
                return create(this);
        }
    }

    private object? _state;
}
