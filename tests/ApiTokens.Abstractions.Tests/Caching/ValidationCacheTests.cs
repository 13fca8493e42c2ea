using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ApiTokens.Tests.Caching;

// The hot-path cache proven on the entry point every transport calls (ApiTokenValidator.ValidateAsync).
[TestClass]
public sealed class ValidationCacheTests
{
    public TestContext TestContext { get; set; } = null!;

    // R18 bounds how long another node's change can go unseen by the cache lifetime: a read that took
    // long must not start the lifetime when it ends (a store that answers after 20 s would otherwise
    // let an entry serve data read 50 s ago). The lifetime counts from when the read began.
    [TestMethod]
    [TestCategory("R18")]
    public async Task SlowRead_TheLifetimeCountsFromWhenTheReadBegan()
    {
        var store = new CountingStore();
        using var h = Harness.Create(
            o =>
            {
                o.CacheLifetime = TimeSpan.FromSeconds(30);
                o.StoreTimeout = TimeSpan.FromSeconds(60);
            },
            wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);   // records the app
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        Assert.IsTrue(cache.TryComputeKey(token.Secret, out var key));
        h.Time.Advance(TimeSpan.FromSeconds(31));   // the first entry has expired
        Assert.IsNull(cache.TryGet(key, out _));
        var gate = new TaskCompletionSource();
        store.ReadGate = gate.Task;
        store.Reset();

        var miss = h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken).AsTask();
        Assert.AreEqual(1, store.HashLookups, "the read has begun");
        h.Time.Advance(TimeSpan.FromSeconds(20));   // the store takes 20 s to answer
        store.ReadGate = null;
        gate.SetResult();
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await miss).Status);

        h.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.IsNotNull(cache.TryGet(key, out _), "29 s after the read began: cached");
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.IsNull(cache.TryGet(key, out _), "30 s after the read began: expired, though it answered only 10 s ago");
    }

    [TestMethod]
    public async Task CacheHit_KnownApp_NoStoreIo_CompletesSynchronouslyWithTheSharedResult()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        store.Reset();

        var first = h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        var second = h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);

        Assert.IsTrue(first.IsCompletedSuccessfully, "a hit completes synchronously");
        Assert.AreEqual(ApiTokenValidationStatus.Success, first.Result.Status);
        Assert.AreSame(first.Result, second.Result, "a hit returns the shared result: nothing is allocated per call");
        Assert.AreEqual(0, store.Calls);
    }

    // A cached token keeps one shared result per app, found by the app's position (no
    // dictionary by name per token): each app's hits get its own result, naming that app, the same
    // object on every hit, with no store I/O — with few apps (scanned) and beyond 8 (indexed).
    [TestMethod]
    [DataRow(3)]
    [DataRow(12)]
    public async Task CacheHit_EachOfSeveralApps_GetsItsOwnSharedResult(int apps)
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        var names = Enumerable.Range(1, apps).Select(i => $"app-{i}").ToArray();
        foreach (var name in names)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, name, TestContext.CancellationToken)).Status);
        }

        await h.Validator.ValidateAsync(token.Secret, names[0], TestContext.CancellationToken);
        store.Reset();

        // Last app first, so no app's result is built in the order the apps were recorded.
        var first = new Dictionary<string, ApiTokenValidationResult>();
        foreach (var name in names.Reverse())
        {
            var hit = h.Validator.ValidateAsync(token.Secret, name, TestContext.CancellationToken);
            Assert.IsTrue(hit.IsCompletedSuccessfully, $"{name}: a hit");
            Assert.AreEqual(ApiTokenValidationStatus.Success, hit.Result.Status);
            Assert.AreEqual(name, hit.Result.Token!.AppName);
            first[name] = hit.Result;
        }

        foreach (var name in names)
        {
            Assert.AreSame(first[name], (await h.Validator.ValidateAsync(token.Secret, name, TestContext.CancellationToken)), $"{name}: the pair's shared result");
        }

        Assert.AreEqual(apps, first.Values.Distinct().Count(), "one result per app");
        Assert.AreEqual(0, store.Calls, "hits only");
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task ChangeOnAnotherNode_ShowsAfterCacheLifetime()
    {
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);

        // Another node retires the token: it writes the store directly, so this node hears nothing.
        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        await h.Store.UpdateAsync(stored! with { RetiredAt = h.Time.GetUtcNow(), RetiredBy = "alice" }, null, TestContext.CancellationToken);

        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status, "still within the cache lifetime");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    [TestCategory("R13")]
    [TestCategory("R18")]
    public async Task Retire_CachedToken_FailsOnTheVeryNextValidation()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);

        await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    [TestCategory("R10")]
    [TestCategory("R18")]
    public async Task AppDecision_CachedApp_TakesEffectOnTheVeryNextValidation()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, (await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, (await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken)).Status);

        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "cosi", AppState.Allow, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken)).Status);

        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "cosi", AppState.Deny, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, (await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    [TestCategory("R15")]
    [TestCategory("R18")]
    public async Task RoleChangeReported_CachedUserToken_CappedOnTheVeryNextValidation()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(TokenPrivilege.Normal, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Token!.EffectivePrivilege);

        h.Members.SetRole("acme", "bob", TokenPrivilege.ReadOnly);
        await h.Manager.MemberRoleChangedAsync("acme", "bob", cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(TokenPrivilege.ReadOnly, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Token!.EffectivePrivilege);
    }

    [TestMethod]
    public async Task CacheLifetimeZero_EveryValidationReadsTheStore()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.Zero, s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        store.Reset();

        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);

        Assert.AreEqual(2, store.HashLookups);
    }

    [TestMethod]
    [TestCategory("R8")]
    [TestCategory("R27")]
    public async Task FirstUse_KeepsTheTokensEntry_TheNextRequestIsAHit()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();

        var first = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);
        var second = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);
        var third = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.Success, first.Status);
        Assert.AreEqual(ApiTokenValidationStatus.Success, second.Status);
        Assert.AreSame(second, third, "the pair's shared result: served from the cache");
        Assert.AreEqual(1, store.HashLookups, "one store read per first use, not two");
        Assert.AreEqual(1, store.AppRecords);
        Assert.Contains(token.Details.Token.Id, h.Changes.Changed, "other listeners still hear of the recorded app");
        Assert.IsTrue(h.Services.GetRequiredService<ApiTokenCache>().IndexCoversCache());
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task ARetireLandingBetweenTheFirstUsesWriteAndItsTakeIn_IsNeverUndone()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.RecordAppDoneGate = done.Task;

        // The first use has written the app and not yet come back; the owner retires the token.
        var firstUse = h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken).AsTask();
        await store.RecordAppDone.WaitAsync(TestContext.CancellationToken);
        store.RecordAppDoneGate = null;
        Assert.IsTrue((await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken)).Succeeded);
        done.SetResult();
        await firstUse;

        var after = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, after.Status, "the retirement holds on the very next request (R13, R18)");
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task FiftyConcurrentMisses_OneSecret_OneStoreRead()
    {
        var store = new CountingStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);   // records the app
        h.Services.GetRequiredService<ApiTokenChangeFeed>().TokenChanged(token.Details.Token.Id);   // another node's change drops the entry
        store.Reset();
        store.ReadGate = gate.Task;

        var validations = Enumerable.Range(0, 50).Select(_ => h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken).AsTask()).ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(validations);

        Assert.IsTrue(results.All(r => r.Status == ApiTokenValidationStatus.Success));
        Assert.AreEqual(1, store.HashLookups, "concurrent misses share one store read");
    }

    [TestMethod]
    [TestCategory("R8")]
    [TestCategory("R19")]
    public async Task HundredConcurrentFirstUses_NewApp_RecordedOnceWithOneStoreCall()
    {
        var store = new CountingStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        store.Reset();
        store.RecordAppGate = gate.Task;

        var validations = Enumerable.Range(0, 100).Select(_ => h.Validator.ValidateAsync(token.Secret, "stampede", TestContext.CancellationToken).AsTask()).ToArray();
        gate.SetResult();
        var results = await Task.WhenAll(validations);

        Assert.IsTrue(results.All(r => r.Status == ApiTokenValidationStatus.PendingApp));
        Assert.AreEqual(1, store.AppRecords, "one store call for the new app");
        Assert.HasCount(1, (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    public async Task CacheSizeLimit_BoundsTheCache()
    {
        using var h = Harness.Create(o => o.CacheSizeLimit = 2);
        var tokens = new List<CreatedApiToken>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add(await h.CreateAsync(Harness.Bob));
        }

        foreach (var token in tokens)
        {
            await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);
        }

        Assert.IsLessThanOrEqualTo(2L, h.Services.GetRequiredService<ApiTokenCache>().Count);
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task TokenIndex_StaysBoundedByTheCache_AndStillFindsCachedEntries()
    {
        // The index of entries by token id is swept rather than cleaned by a per-entry eviction
        // callback (the callback was 128 bytes of every cached token).
        using var h = Harness.Create(o =>
        {
            o.CacheSizeLimit = 10;
            o.MaxActiveAccountTokens = 10_000;
            o.LastUsedGranularity = TimeSpan.Zero;
        });
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        var tokens = new List<CreatedApiToken>();
        for (var i = 0; i < 3_000; i++)
        {
            var token = await h.CreateAsync(Harness.Alice, TokenType.Account);
            tokens.Add(token);
            await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
            await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        }

        // Sizes are compared every 1,024 insertions, and a sweep runs past twice the cache + 1,024; so
        // at most 2 × cache + 2,048 entries are indexed at any time (without sweeps: 3,000 here).
        for (var i = 0; i < 500 && cache.IndexCount > (2 * cache.Count) + 2048; i++)
        {
            await Task.Delay(10, TestContext.CancellationToken);   // the sweep runs on the thread pool
        }

        Assert.IsLessThanOrEqualTo((2 * cache.Count) + 2048, cache.IndexCount, "the index is swept down to the cache's size");

        Assert.IsGreaterThan(0L, cache.Count);
        Assert.IsTrue(cache.IndexCoversCache(), "a sweep never unindexes an entry that is still cached, so a change still drops it (R18)");
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task OptionsReload_CacheLifetimeAndSize_TakeEffect()
    {
        var lifetime = TimeSpan.FromSeconds(30);
        var reload = new ReloadSource();
        var store = new CountingStore();
        using var h = Harness.Create(
            o =>
            {
                o.CacheLifetime = lifetime;
                o.CacheSizeLimit = lifetime == TimeSpan.Zero ? 7 : 100_000;
            },
            s => store.Wrap(s),
            services => services.AddSingleton<IOptionsChangeTokenSource<ApiTokenOptions>>(reload));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        store.Reset();
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(0, store.HashLookups, "cached before the reload");

        lifetime = TimeSpan.Zero;
        reload.Fire();

        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(2, store.HashLookups, "the reloaded lifetime (zero: no cache) is in force");
        var cache = h.Services.GetRequiredService<ApiTokenCache>();
        Assert.AreEqual(TimeSpan.Zero, cache.Lifetime);
        Assert.AreEqual(7L, cache.SizeLimit);
    }

    private sealed class ReloadSource : IOptionsChangeTokenSource<ApiTokenOptions>
    {
        private CancellationTokenSource _source = new();

        public string? Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(_source.Token);

        public void Fire()
        {
            var fired = _source;
            _source = new CancellationTokenSource();
            fired.Cancel();
        }
    }
}
