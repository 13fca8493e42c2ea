using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The claims identity of each validated (token, app) pair, per scheme, built once. The validator
// shares one ValidatedApiToken per cached pair, so its identity hangs off that object in a
// ConditionalWeakTable: it lives exactly as long as the validator keeps the pair cached, a lookup
// is lock-free and allocates nothing, and a dropped cache entry takes its identities with it.
internal sealed class ApiTokenIdentities
{
    private readonly ConditionalWeakTable<ValidatedApiToken, Slot> _table = new();

    public ApiTokenIdentity Get(ValidatedApiToken token, string scheme)
    {
        if (_table.TryGetValue(token, out var slot))
        {
            var first = slot.First;
            if (ReferenceEquals(first.AuthenticationType, scheme) || string.Equals(first.AuthenticationType, scheme, StringComparison.Ordinal))
            {
                return first;
            }

            return slot.ForOtherScheme(token, scheme);
        }

        // Racing requests may each build one; the first stored wins.
        return _table.GetOrAdd(token, static (t, s) => new Slot(new ApiTokenIdentity(t, s)), scheme).ForScheme(token, scheme);
    }

    // Most applications have one ApiTokens scheme: its identity has a slot of its own.
    private sealed class Slot(ApiTokenIdentity first)
    {
        private ConcurrentDictionary<string, ApiTokenIdentity>? _others;

        public ApiTokenIdentity First { get; } = first;

        public ApiTokenIdentity ForScheme(ValidatedApiToken token, string scheme)
            => string.Equals(First.AuthenticationType, scheme, StringComparison.Ordinal) ? First : ForOtherScheme(token, scheme);

        public ApiTokenIdentity ForOtherScheme(ValidatedApiToken token, string scheme)
        {
            var others = _others ?? Interlocked.CompareExchange(ref _others, new(StringComparer.Ordinal), null) ?? _others!;
            return others.GetOrAdd(scheme, static (s, t) => new ApiTokenIdentity(t, s), token);
        }
    }
}
