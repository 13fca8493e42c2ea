using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

// R27: failed authentications throttled per client key, in the one validation flow.
[TestClass]
[TestCategory("R27")]
public sealed class ThrottlingTests
{
    private const int Limit = 5;

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task OverTheLimit_UnknownSecrets_ThrottledWithoutStoreIo_UntilTheWindowPasses()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => { o.FailureLimit = Limit; o.FailureWindow = TimeSpan.FromMinutes(1); }, wrapStore: s => store.Wrap(s));
        for (var i = 0; i < Limit; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", "10.0.0.1", Ct)).Status);
        }

        Assert.AreEqual(Limit, store.HashLookups);
        h.Time.Advance(TimeSpan.FromSeconds(20));

        var throttled = await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", "10.0.0.1", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.Throttled, throttled.Status);
        Assert.AreEqual(TimeSpan.FromSeconds(40), throttled.RetryAfter);
        Assert.AreEqual(Limit, store.HashLookups, "a throttled secret is refused without store I/O");

        h.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", "10.0.0.1", Ct)).Status, "the window passed");
        Assert.AreEqual(Limit + 1, store.HashLookups);
    }

    [TestMethod]
    public async Task Throttled_CachedTokenKeepsWorking_UncachedOneDoesNot_OtherClientsUnaffected()
    {
        using var h = Harness.Create(o => o.FailureLimit = Limit);
        var used = await h.CreateAsync(Harness.Bob);
        var fresh = await h.CreateAsync(Harness.Bob);
        for (var i = 0; i < 2; i++)
        {
            // The first use records the app (and drops the entry); the second caches token and app.
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(used.Secret, "app", "10.0.0.1", Ct)).Status);
        }

        await FailAsync(h, "10.0.0.1", Limit);

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(used.Secret, "app", "10.0.0.1", Ct)).Status, "cached token and app");
        Assert.AreEqual(ApiTokenValidationStatus.Throttled, (await h.Validator.ValidateAsync(used.Secret, "other-app", "10.0.0.1", Ct)).Status, "a new app needs a store write");
        Assert.AreEqual(ApiTokenValidationStatus.Throttled, (await h.Validator.ValidateAsync(fresh.Secret, "app", "10.0.0.1", Ct)).Status, "not cached");
        Assert.AreEqual(ApiTokenValidationStatus.Throttled, (await h.Validator.ValidateAsync("not-a-secret", "app", "10.0.0.1", Ct)).Status, "malformed");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(fresh.Secret, "app", "10.0.0.2", Ct)).Status, "another client");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(fresh.Secret, "app", clientKey: null, Ct)).Status, "no key, no throttling");
    }

    [TestMethod]
    public async Task MalformedSecretsAndBadAppNamesCount_PendingAndDeniedAppsDoNot()
    {
        using var h = Harness.Create(o => o.FailureLimit = Limit);
        var pending = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        var fresh = await h.CreateAsync(Harness.Bob);
        for (var i = 0; i < Limit * 3; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.PendingApp, (await h.Validator.ValidateAsync(pending.Secret, "app", "a", Ct)).Status);
        }

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(fresh.Secret, "app", "a", Ct)).Status, "a token's own decisions are not the client's failures");

        await h.Validator.ValidateAsync("apt_short", "app", "b", Ct);
        await h.Validator.ValidateAsync(null, "app", "b", Ct);
        await h.Validator.ValidateAsync(fresh.Secret, null, "b", Ct);
        await h.Validator.ValidateAsync(fresh.Secret, "bad\u202Eapp", "b", Ct);
        await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", "b", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.Throttled, (await h.Validator.ValidateAsync(fresh.Secret, "new-app", "b", Ct)).Status);
    }

    [TestMethod]
    public async Task LimitZero_NeverThrottles()
    {
        using var h = Harness.Create(o => o.FailureLimit = 0);
        var token = await h.CreateAsync(Harness.Bob);
        await FailAsync(h, "a", 200);

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", "a", Ct)).Status);
    }

    [TestMethod]
    public async Task ManyClients_MemoryStaysBounded_AndAFreshClientIsNotThrottled()
    {
        // The default limit: 200,000 one-failure clients put ~3 failures in each of the table's
        // 131,072 slots, so with a limit of 5 a fresh client's two slots would both reach it in ~4 %
        // of runs (a sketch's overestimate, the documented trade-off); at 100 that never happens.
        using var h = Harness.Create(o => o.FailureLimit = 100);
        var token = await h.CreateAsync(Harness.Bob);
        var keys = Enumerable.Range(0, 200_000).Select(i => $"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}").ToArray();
        await h.Validator.ValidateAsync("warm-up", "app", keys[0], Ct);

        // Malformed secrets: refused without store I/O. The same calls without a key are the baseline,
        // so the difference is the throttle's own memory.
        var baseline = await AllocatedAsync(h, keys, withKey: false);
        var throttled = await AllocatedAsync(h, keys, withKey: true);

        Assert.IsLessThan(64 * 1024, throttled - baseline, $"200,000 clients cost {throttled - baseline:N0} bytes: keys must not be stored");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", "192.168.1.1", Ct)).Status);
    }

    private static async Task<long> AllocatedAsync(Harness h, string[] keys, bool withKey)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var key in keys)
        {
            await h.Validator.ValidateAsync("apt_bad", "app", withKey ? key : null, CancellationToken.None);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static async Task FailAsync(Harness h, string clientKey, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", clientKey, CancellationToken.None)).Status);
        }
    }
}
