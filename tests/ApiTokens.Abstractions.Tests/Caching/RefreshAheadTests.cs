using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Membership;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Caching;

// hot entries are reloaded in the background before they expire, at a random point
// between 70 % and 90 % of the lifetime, so requests never wait for the store and entries loaded
// together do not expire together — with R18 exactly as for a miss.
[TestClass]
public sealed class RefreshAheadTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R18")]
    public async Task HotEntry_IsReloadedBeforeItExpires_AndServedMeanwhile()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30), wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        store.Reset();

        h.Time.Advance(TimeSpan.FromSeconds(20));
        var early = h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.IsTrue(early.IsCompletedSuccessfully);
        Assert.AreEqual(0, store.HashLookups, "before 70 % of the lifetime nothing is reloaded");

        h.Time.Advance(TimeSpan.FromSeconds(7));
        var hot = h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.IsTrue(hot.IsCompletedSuccessfully, "served from the cache while it reloads");
        Assert.AreEqual(ApiTokenValidationStatus.Success, hot.Result.Status);
        Assert.AreEqual(0, store.HashLookups, "queued for the batch, not read yet");
        h.Time.Advance(s_batchDelay);
        await WaitForAsync(() => !IsDue(h.Services.GetRequiredService<ApiTokenCache>(), token.Secret));   // reloaded (the read is counted when it starts)

        h.Time.Advance(TimeSpan.FromSeconds(10));
        var afterTheOldExpiry = h.Validator.ValidateAsync(token.Secret, "app", Ct);

        Assert.IsTrue(afterTheOldExpiry.IsCompletedSuccessfully, "the reloaded entry serves past the first one's expiry");
        Assert.AreEqual(ApiTokenValidationStatus.Success, afterTheOldExpiry.Result.Status);
        Assert.AreEqual(1, store.HashLookups, "one reload, in the background");
    }

    // A store whose reads complete synchronously (Microsoft.Data.Sqlite: EF's async calls block the
    // calling thread) must not make the request that triggers a refresh wait for the read: on
    // SQLite one request per token and cache lifetime waited for a whole store read.
    [TestMethod]
    public async Task Refresh_OnAStoreThatBlocks_DoesNotHoldTheRequestThatTriggeredIt()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30), wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        store.Reset();

        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        Assert.IsTrue(cache.TryComputeKey(token.Secret, out var key));
        var firstExpiry = cache.TryGet(key, out _)!.ExpiresAt;
        using var gate = new ManualResetEventSlim(false);
        store.BlockingReadGate = gate;
        try
        {
            h.Time.Advance(TimeSpan.FromSeconds(27));
            var request = Task.Run(() => h.Validator.ValidateAsync(token.Secret, "app", Ct).AsTask(), Ct);
            var finished = await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(10), Ct));

            Assert.AreSame(request, finished, "the request returned while the refresh's read was still blocked");
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await request).Status);
            h.Time.Advance(s_batchDelay);
            await WaitForAsync(() => store.HashLookups == 1);
        }
        finally
        {
            gate.Set();
        }

        await WaitForAsync(() => cache.TryGet(key, out _)?.ExpiresAt > firstExpiry);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Status);
        Assert.AreEqual(1, store.HashLookups, "the refresh completed once released and extended the entry");
    }

    [TestMethod]
    [TestCategory("R18")]
    [TestCategory("R13")]
    public async Task Reload_SeesAChangeMadeOnAnotherNode_AndDropsTheEntry()
    {
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, Ct);
        await h.Store.UpdateAsync(stored! with { RetiredAt = h.Time.GetUtcNow(), RetiredBy = "alice" }, null, Ct);

        h.Time.Advance(TimeSpan.FromSeconds(27));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Status, "within the lifetime, as R18 allows");
        h.Time.Advance(s_batchDelay);

        var refused = ApiTokenValidationStatus.Success;
        for (var i = 0; i < 1000 && refused == ApiTokenValidationStatus.Success; i++)
        {
            await Task.Delay(5, Ct);   // the reload runs on the thread pool
            refused = (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Status;
        }

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, refused, "the reload found the token retired and dropped it before the lifetime ended");
    }

    [TestMethod]
    public async Task EntriesLoadedTogether_RefreshAtDifferentTimes()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(100), wrapStore: s => store.Wrap(s));
        var secrets = (await CacheAccountTokensAsync(h, 50)).Select(t => t.Secret).ToList();

        store.Reset();
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        var reloadsPerStep = new List<int>();
        var elapsed = TimeSpan.Zero;
        for (var second = 70; second <= 90; second += 5)
        {
            h.Time.Advance(TimeSpan.FromSeconds(second) - elapsed);
            var before = store.HashLookups;
            var due = secrets.Where(s => IsDue(cache, s)).ToList();
            foreach (var secret in secrets)
            {
                await h.Validator.ValidateAsync(secret, "app", Ct);
            }

            h.Time.Advance(TimeSpan.FromSeconds(1));   // the batch delay: 2 % of 100 s, at most 1 s
            elapsed = TimeSpan.FromSeconds(second + 1);

            // The reloads run on the thread pool: wait until every entry that was due has been extended.
            await WaitForAsync(() => due.All(s => !IsDue(cache, s)));
            reloadsPerStep.Add(store.HashLookups - before);
        }

        Assert.AreEqual(50, reloadsPerStep.Sum(), "every hot entry reloaded once before 90 % of its lifetime");
        Assert.IsTrue(reloadsPerStep.Max() < 40, $"spread over the window, not all at once: {string.Join(", ", reloadsPerStep)}");
    }

    [TestMethod]
    public async Task Reload_OfAnUnchangedToken_ExtendsTheEntry_KeepingItsSharedResults()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30), wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        var before = (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Token;
        store.Reset();

        h.Time.Advance(TimeSpan.FromSeconds(27));
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        h.Time.Advance(s_batchDelay);
        await WaitForAsync(() => !IsDue(h.Services.GetRequiredService<ApiTokenCache>(), token.Secret));   // reloaded (the read is counted when it starts)
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var after = await h.Validator.ValidateAsync(token.Secret, "app", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.Success, after.Status);
        Assert.AreSame(before, after.Token, "the same entry serves on: its results (and a handler's identity kept on them) are not rebuilt");
        Assert.AreEqual(1, store.HashLookups, "past the first lifetime without another read");
    }

    [TestMethod]
    [TestCategory("R18")]
    [TestCategory("R15")]
    public async Task Reload_SeesAChangedAppOrRole_AndReplacesTheEntry()
    {
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30));
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        await h.Validator.ValidateAsync(token.Secret, "other", Ct);
        var before = (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Token!;

        // Written behind this node's back (as another node without notifications would), and the
        // owner's role lowered: neither reaches the cache until the reload.
        var stored = (await h.Store.FindByIdAsync(token.Details.Token.Id, Ct))!;
        await h.Store.UpdateAsync(stored with { Apps = [.. stored.Apps.Select(a => a.Name == "other" ? a with { State = AppState.Deny } : a)] }, null, Ct);
        h.Members.SetRole("acme", "bob", TokenPrivilege.ReadOnly);

        h.Time.Advance(TimeSpan.FromSeconds(27));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "other", Ct)).Status, "within the lifetime, as R18 allows");
        h.Time.Advance(s_batchDelay);
        var denied = ApiTokenValidationStatus.Success;
        for (var i = 0; i < 1000 && denied == ApiTokenValidationStatus.Success; i++)
        {
            await Task.Delay(5, Ct);   // the reload runs on the thread pool
            denied = (await h.Validator.ValidateAsync(token.Secret, "other", Ct)).Status;
        }

        var after = (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Token!;
        Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, denied);
        Assert.AreNotSame(before, after);
        Assert.AreEqual(TokenPrivilege.Normal, before.EffectivePrivilege);
        Assert.AreEqual(TokenPrivilege.ReadOnly, after.EffectivePrivilege);
    }

    // on a database each reload was a round trip of its own; entries that fall due within
    // the batch delay are reloaded with one store call, at most 100 hashes per call.
    [TestMethod]
    public async Task EntriesDueTogether_AreReloadedWithOneStoreCallPerHundred()
    {
        var store = new CountingStore();
        using var h = Harness.Create(
            o =>
            {
                o.CacheLifetime = TimeSpan.FromSeconds(30);
                o.MaxActiveAccountTokens = 1000;
            },
            wrapStore: s => store.Wrap(s));
        var secrets = (await CacheAccountTokensAsync(h, 250)).Select(t => t.Secret).ToList();

        store.Reset();
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        var before = secrets.Select(s => h.Validator.ValidateAsync(s, "app", Ct).Result.Token).ToList();
        h.Time.Advance(TimeSpan.FromSeconds(27));   // past 90 %: every entry is due
        foreach (var secret in secrets)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "app", Ct)).Status);
        }

        Assert.AreEqual(0, store.HashLookups, "nothing is read until the batch delay has passed");
        h.Time.Advance(s_batchDelay);
        await WaitForAsync(() => secrets.All(s => !IsDue(cache, s)));

        CollectionAssert.AreEqual(new[] { 100, 100, 50 }, store.HashBatchSizes, "250 reloads in three store calls");
        Assert.AreEqual(250, store.HashLookups);
        h.Time.Advance(TimeSpan.FromSeconds(10));   // past the first lifetime
        for (var i = 0; i < secrets.Count; i++)
        {
            Assert.AreSame(before[i], (await h.Validator.ValidateAsync(secrets[i], "app", Ct)).Token, "each entry extended in place");
        }

        Assert.AreEqual(250, store.HashLookups, "and no miss afterwards");
    }

    // A change to one token while a batch is read must not cost the batch's other entries their
    // place (the change stamp is global), and must not let the stale read of the changed token in (R18).
    [TestMethod]
    [TestCategory("R18")]
    public async Task AChangeDuringABatchReload_DropsOnlyTheChangedToken()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30), wrapStore: s => store.Wrap(s));
        var tokens = await CacheAccountTokensAsync(h, 10);

        var before = tokens.Select(t => h.Validator.ValidateAsync(t.Secret, "app", Ct).Result.Token).ToList();
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BatchReadDoneGate = release.Task;
        store.Reset();
        h.Time.Advance(TimeSpan.FromSeconds(27));
        foreach (var token in tokens)
        {
            await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        }

        h.Time.Advance(s_batchDelay);
        await WaitForAsync(() => store.HashBatches == 1);   // read, held before it is applied
        var changed = tokens[0];
        Assert.IsTrue((await h.Manager.SetAppStateAsync(Harness.Alice, changed.Details.Token.Id, "app", AppState.Deny)).Succeeded);
        release.SetResult();
        await WaitForAsync(() => tokens.Skip(1).All(t => !IsDue(cache, t.Secret)));
        store.BatchReadDoneGate = null;

        Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, (await h.Validator.ValidateAsync(changed.Secret, "app", Ct)).Status, "the read from before the change is not cached");
        var lookups = store.HashLookups;
        h.Time.Advance(TimeSpan.FromSeconds(10));
        for (var i = 1; i < tokens.Count; i++)
        {
            Assert.AreSame(before[i], (await h.Validator.ValidateAsync(tokens[i].Secret, "app", Ct)).Token, "the unchanged tokens were extended, not dropped");
        }

        Assert.AreEqual(lookups, store.HashLookups, "no miss for the unchanged tokens");
    }

    // A reload is bounded by StoreTimeout like the request path (R20): a store that hangs is given up
    // on and logged, the entry serves until it expires, and the reloads after it still run.
    [TestMethod]
    [TestCategory("R20")]
    public async Task AHangingReload_IsGivenUpAfterStoreTimeout_AndLaterReloadsStillRun()
    {
        var store = new CountingStore();
        using var h = Harness.Create(
            o =>
            {
                o.CacheLifetime = TimeSpan.FromSeconds(100);
                o.StoreTimeout = TimeSpan.FromSeconds(2);
            },
            wrapStore: s => store.Wrap(s));
        var tokens = await CacheAccountTokensAsync(h, 2);
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        var hang = new TaskCompletionSource();
        store.ReadGate = hang.Task;
        try
        {
            h.Time.Advance(TimeSpan.FromSeconds(91));   // past 90 %: both due
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(tokens[0].Secret, "app", Ct)).Status);
            h.Time.Advance(TimeSpan.FromSeconds(1));    // the batch delay: 2 % of 100 s, at most 1 s
            await WaitForAsync(() => store.HashBatches == 1);

            // The timeout's timer starts just after the read does: step fake time until it has fired.
            await WaitForAsync(() =>
            {
                h.Time.Advance(TimeSpan.FromMilliseconds(100));
                return h.Logs.GetSnapshot().Any(r => r.Id.Id == 16);
            });

            Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.Warning, h.Logs.GetSnapshot().Single(r => r.Id.Id == 16).Level);
            Assert.IsTrue(IsDue(cache, tokens[0].Secret), "not extended: it serves until it expires");
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(tokens[0].Secret, "app", Ct)).Status);

            store.ReadGate = null;
            await h.Validator.ValidateAsync(tokens[1].Secret, "app", Ct);
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await WaitForAsync(() => !IsDue(cache, tokens[1].Secret));
            Assert.AreEqual(2, store.HashBatches, "the next batch was read although the first never answered");
        }
        finally
        {
            hang.SetResult();
        }
    }

    // R15 follows the owner's role on every reload; a batch asks the host's membership source once
    // per account (GetRolesAsync), not once per user token.
    [TestMethod]
    [TestCategory("R15")]
    public async Task ABatchOfUserTokens_AsksMembershipOncePerAccount()
    {
        var membership = new CountingMembership();
        using var h = Harness.Create(
            o => o.CacheLifetime = TimeSpan.FromSeconds(30),
            services: s => s.AddSingleton<IAccountMembership>(sp => membership.Wrap(sp.GetRequiredService<InMemoryAccountMembership>())));
        var tokens = new List<CreatedApiToken>();
        foreach (var owner in new[] { Harness.Bob, Harness.Bob, Harness.Erin, Harness.Erin, Harness.Dave })
        {
            tokens.Add(await h.CreateAsync(owner, privilege: TokenPrivilege.Normal));
        }

        foreach (var token in tokens)
        {
            await h.Validator.ValidateAsync(token.Secret, "app", Ct);
            Assert.AreEqual(TokenPrivilege.Normal, (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Token!.EffectivePrivilege);
        }

        h.Members.SetRole("acme", "erin", TokenPrivilege.ReadOnly);
        h.Members.Remove("globex", "dave");
        membership.Reset();
        h.Time.Advance(TimeSpan.FromSeconds(27));
        foreach (var token in tokens)
        {
            await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        }

        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        h.Time.Advance(s_batchDelay);
        await WaitForAsync(() => tokens.All(t => !IsDue(cache, t.Secret)));

        CollectionAssert.AreEquivalent(new[] { "acme:bob,erin", "globex:dave" }, membership.Calls.ToArray(), "one call per account, each owner once");
        Assert.AreEqual(TokenPrivilege.Normal, (await h.Validator.ValidateAsync(tokens[0].Secret, "app", Ct)).Token!.EffectivePrivilege);
        Assert.AreEqual(TokenPrivilege.ReadOnly, (await h.Validator.ValidateAsync(tokens[2].Secret, "app", Ct)).Token!.EffectivePrivilege, "a lowered role caps the reloaded token");
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(tokens[4].Secret, "app", Ct)).Status, "a removed member's token is dropped");
    }

    private sealed class CountingMembership : IAccountMembership
    {
        private IAccountMembership _inner = null!;

        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        public IAccountMembership Wrap(IAccountMembership inner)
        {
            _inner = inner;
            return this;
        }

        public void Reset() => Calls.Clear();

        public ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"{accountId}:{userId}");
            return _inner.GetRoleAsync(accountId, userId, cancellationToken);
        }

        public ValueTask<IReadOnlyDictionary<string, TokenPrivilege>> GetRolesAsync(string accountId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
        {
            Calls.Enqueue($"{accountId}:{string.Join(',', userIds.Order(StringComparer.Ordinal))}");
            return _inner.GetRolesAsync(accountId, userIds, cancellationToken);
        }
    }

    // Entries due within this are reloaded together: 2 % of the 30 s lifetime these tests use.
    private static readonly TimeSpan s_batchDelay = TimeSpan.FromMilliseconds(600);

    // Account tokens, each cached with its app "app" recorded (the first use records it, the second is a hit).
    private async Task<List<CreatedApiToken>> CacheAccountTokensAsync(Harness h, int count)
    {
        var tokens = new List<CreatedApiToken>();
        for (var i = 0; i < count; i++)
        {
            var token = await h.CreateAsync(Harness.Alice, TokenType.Account);
            await h.Validator.ValidateAsync(token.Secret, "app", Ct);
            await h.Validator.ValidateAsync(token.Secret, "app", Ct);
            tokens.Add(token);
        }

        return tokens;
    }

    private static bool IsDue(ApiTokenCache cache, string secret)
        => cache.TryComputeKey(secret, out var key) && cache.TryGet(key, out var due) is not null && due;

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.IsTrue(condition());
    }
}
