using ApiTokens.Diagnostics;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Secrets;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Validation;

// Job: the validation flow's reading of tokens — which active token a secret's hash belongs to, with
// its owner's privilege (R15) and which of its secrets matched (R23). The cache calls it on a miss
// (FindAsync) and for a batch of refresh-ahead reloads (FindManyAsync); nothing else on the request
// path reads tokens from the store.
//
// A token is found only when the secret authenticates now: not retired (R13), not expired (R21), a
// previous secret only within its grace (R23), a user token whose owner is still a member (R15).
// Each of those comes back null, exactly like a secret that never existed.
//
// Store calls run in a dependency-injection scope of their own, so scoped stores and membership
// sources work, and a read shared by concurrent callers belongs to none of them.
internal sealed class TokenLookup(
    IServiceScopeFactory scopes,
    IOptionsMonitor<ApiTokenOptions> options,
    TimeProvider time,
    ApiTokenInstruments instruments,
    SelfRotationFollowUps followUps,
    ILogger<TokenLookup> logger)
{
    public async Task<ApiTokenLookup?> FindAsync(byte[] hash)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IApiTokenStore>();
            var token = await instruments.TimeStoreAsync("find", static (s, h) => s.FindBySecretHashAsync(h, includeRetired: false, CancellationToken.None), store, hash).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (!TryAdmit(token, hash, now, out var previous, out var validUntil))
            {
                // R39: a self-rotating token's previous secret after it ended is reported (off this request).
                if (token is { SelfRotate: true } && !token.IsExpiredAt(now) && SecretMatches.Match(token, hash) == SecretMatch.Previous)
                {
                    followUps.PreviousSecretReused(token.Id);
                }

                return null;
            }

            TokenPrivilege? ownerRole = null;
            if (token!.Type == TokenType.User)
            {
                var membership = scope.ServiceProvider.GetRequiredService<IAccountMembership>();
                ownerRole = await membership.GetRoleAsync(token.AccountId, token.OwnerId!, CancellationToken.None).ConfigureAwait(false);
            }

            return Effective(token, ownerRole, previous, validUntil, now);
        }
    }

    // The reloads of a refresh-ahead batch, bounded by StoreTimeout like the request path (R20). An
    // outage (the store failed or hung) is logged here and thrown: the cache leaves the batch's
    // entries to expire, and the next miss reports it. Anything else is a defect and is thrown as is.
    public async Task<ApiTokenLookup?[]> FindManyAsync(IReadOnlyList<byte[]> hashes)
    {
        try
        {
            return await FindManyCoreAsync(hashes).WaitAsync(options.CurrentValue.StoreTimeout, time).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiTokenStoreException or TimeoutException)
        {
            Log.RefreshFailed(logger, ex, hashes.Count);
            throw;
        }
    }

    private async Task<ApiTokenLookup?[]> FindManyCoreAsync(IReadOnlyList<byte[]> hashes)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var tokens = await ReadAsync(scope.ServiceProvider, hashes).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var admitted = new (ApiToken Token, bool Previous, DateTimeOffset? ValidUntil)?[hashes.Count];
            Dictionary<string, HashSet<string>>? owners = null;
            for (var i = 0; i < admitted.Length; i++)
            {
                var token = SecretMatches.Find(tokens, hashes[i], out _);
                if (TryAdmit(token, hashes[i], now, out var previous, out var validUntil))
                {
                    admitted[i] = (token!, previous, validUntil);
                    if (token!.Type == TokenType.User)
                    {
                        owners ??= new(StringComparer.Ordinal);
                        if (!owners.TryGetValue(token.AccountId, out var users))
                        {
                            owners[token.AccountId] = users = new(StringComparer.Ordinal);
                        }

                        users.Add(token.OwnerId!);
                    }
                }
            }

            // The owners' roles (R15): one membership call per account in the batch, not one per token.
            var roles = new Dictionary<string, IReadOnlyDictionary<string, TokenPrivilege>>(StringComparer.Ordinal);
            if (owners is not null)
            {
                var membership = scope.ServiceProvider.GetRequiredService<IAccountMembership>();
                foreach (var (accountId, users) in owners)
                {
                    roles[accountId] = await membership.GetRolesAsync(accountId, users, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var lookups = new ApiTokenLookup?[hashes.Count];
            for (var i = 0; i < lookups.Length; i++)
            {
                if (admitted[i] is var (token, previous, validUntil))
                {
                    TokenPrivilege? ownerRole = token.Type == TokenType.User && roles[token.AccountId].TryGetValue(token.OwnerId!, out var role) ? role : null;
                    lookups[i] = Effective(token, ownerRole, previous, validUntil, now);
                }
            }

            return lookups;
        }
    }

    // One store call for the batch where the store can (IApiTokenBatchLookupStore), else one per hash.
    private async Task<IReadOnlyList<ApiToken>> ReadAsync(IServiceProvider services, IReadOnlyList<byte[]> hashes)
    {
        if (services.GetService<IApiTokenBatchLookupStore>() is { } batch)
        {
            var memory = new ReadOnlyMemory<byte>[hashes.Count];
            for (var i = 0; i < memory.Length; i++)
            {
                memory[i] = hashes[i];
            }

            return await instruments.TimeStoreAsync("find_many", static (s, h) => s.FindBySecretHashesAsync(h, includeRetired: false, CancellationToken.None), batch, memory).ConfigureAwait(false);
        }

        var store = services.GetRequiredService<IApiTokenStore>();
        var tokens = new List<ApiToken>(hashes.Count);
        foreach (var hash in hashes)
        {
            if (await instruments.TimeStoreAsync("find", static (s, h) => s.FindBySecretHashAsync(h, includeRetired: false, CancellationToken.None), store, hash).ConfigureAwait(false) is { } token)
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

    // Whether the token a hash found can authenticate now, before its owner's role is known.
    // validUntil: until when this secret authenticates (the cache never serves it past that).
    private static bool TryAdmit(ApiToken? token, byte[] hash, DateTimeOffset now, out bool previous, out DateTimeOffset? validUntil)
    {
        previous = false;
        validUntil = null;
        if (token is null || token.IsExpiredAt(now) || (token.Type == TokenType.User && token.OwnerId is null))
        {
            return false;
        }

        var match = SecretMatches.Match(token, hash);
        if (!SecretMatches.IsLive(token, match, now))
        {
            return false;
        }

        previous = match == SecretMatch.Previous;
        validUntil = token.ExpiresAt;
        if (previous && (validUntil is null || token.PreviousSecretExpiresAt < validUntil))
        {
            validUntil = token.PreviousSecretExpiresAt;
        }

        return true;
    }

    // The effective privilege with the owner's role (R15); a user token whose owner is no longer a
    // member has none.
    // endsPrevious (R39): the current secret of a self-rotating token whose previous secret still works.
    private static ApiTokenLookup? Effective(ApiToken token, TokenPrivilege? ownerRole, bool previous, DateTimeOffset? validUntil, DateTimeOffset now)
        => TokenAccessPolicy.Effective(token, ownerRole) is { } effective
            ? new ApiTokenLookup(token, effective, validUntil, previous, !previous && token.SelfRotate && token.PreviousSecretHash is not null && token.PreviousSecretExpiresAt > now)
            : null;
}
