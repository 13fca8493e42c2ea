using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The claims identity of each validated (token, app) pair, per scheme, built once. The validator
// shares one ValidatedApiToken per cached pair, so its identity is kept on that object
// (ValidatedApiToken.GetOrAddState): it lives exactly as long as the validator keeps the pair cached,
// a lookup is lock-free and allocates nothing, and a dropped cache entry takes its identities with
// it. This was once a ConditionalWeakTable, whose dependent handles every GC scans: with
// 100,000 cached pairs each gen-0 collection took ~5 ms longer.
internal sealed class ApiTokenIdentities
{
    private static readonly Func<ValidatedApiToken, Slot> s_newSlot = static _ => new Slot();

    public ApiTokenIdentity Get(ValidatedApiToken token, string scheme)
    {
        var slot = token.GetOrAddState(s_newSlot);
        var first = Volatile.Read(ref slot.First);
        if (first is not null && (ReferenceEquals(first.AuthenticationType, scheme) || string.Equals(first.AuthenticationType, scheme, StringComparison.Ordinal)))
        {
            return first;
        }

        if (first is null)
        {
            // Racing requests may each build one; the first stored wins.
            var created = new ApiTokenIdentity(token, scheme);
            first = Interlocked.CompareExchange(ref slot.First, created, null) ?? created;
            if (string.Equals(first.AuthenticationType, scheme, StringComparison.Ordinal))
            {
                return first;
            }
        }

        return slot.ForOtherScheme(token, scheme);
    }

    // Most applications have one ApiTokens scheme: its identity has a slot of its own.
    private sealed class Slot
    {
        public ApiTokenIdentity? First;

        private System.Collections.Concurrent.ConcurrentDictionary<string, ApiTokenIdentity>? _others;

        public ApiTokenIdentity ForOtherScheme(ValidatedApiToken token, string scheme)
        {
            var others = _others ?? Interlocked.CompareExchange(ref _others, new(StringComparer.Ordinal), null) ?? _others!;
            return others.GetOrAdd(scheme, static (s, t) => new ApiTokenIdentity(t, s), token);
        }
    }
}
