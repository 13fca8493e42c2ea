using System.Collections.Concurrent;

namespace ApiTokens.AspNetCore.Caching;

// What the cache holds for one token: the looked-up token with its effective privilege, the shared
// identity of each allowed app, and the in-flight recordings of new apps. Holds no secret.
internal sealed class CachedApiToken
{
    private const int IndexThreshold = 8;

    private readonly Dictionary<string, TokenApp>? _appIndex;
    private readonly ConcurrentDictionary<string, ApiTokenIdentity> _identities = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Lazy<Task<ApiTokenValidationResult>>>? _recordings;
    private volatile bool _invalidated;

    public CachedApiToken(ApiTokenLookup lookup, long expiresAt, string scheme)
    {
        Lookup = lookup;
        ExpiresAt = expiresAt;
        Scheme = scheme;
        var apps = lookup.Token.Apps;
        if (apps.Count > IndexThreshold)
        {
            _appIndex = new Dictionary<string, TokenApp>(apps.Count, StringComparer.Ordinal);
            foreach (var app in apps)
            {
                _appIndex[app.Name] = app;
            }
        }
    }

    public ApiTokenLookup Lookup { get; }

    // In TimeProvider timestamp units.
    public long ExpiresAt { get; }

    public string Scheme { get; }

    public bool IsInvalidated => _invalidated;

    public void Invalidate() => _invalidated = true;

    public TokenApp? FindApp(string appName)
    {
        if (_appIndex is not null)
        {
            return _appIndex.TryGetValue(appName, out var app) ? app : null;
        }

        return Lookup.Token.FindApp(appName);
    }

    public ApiTokenIdentity GetIdentity(string appName)
        => _identities.GetOrAdd(appName, static (name, self) => new ApiTokenIdentity(new ValidatedApiToken(self.Lookup.Token, self.Lookup.EffectivePrivilege, name), self.Scheme), this);

    // Concurrent first uses of one new app on this node share one store call (R19).
    public Task<ApiTokenValidationResult> RecordAppAsync(ApiTokenValidator validator, string appName, CancellationToken cancellationToken)
    {
        var recordings = _recordings ?? Interlocked.CompareExchange(ref _recordings, new(StringComparer.Ordinal), null) ?? _recordings!;
        var lazy = recordings.GetOrAdd(
            appName,
            static (name, state) => new Lazy<Task<ApiTokenValidationResult>>(() => state.validator.AuthorizeAppAsync(state.self.Lookup, name, state.cancellationToken).AsTask()),
            (self: this, validator, cancellationToken));
        return lazy.Value;
    }
}
