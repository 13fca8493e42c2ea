
namespace ApiTokens.Stores.Specification;

// Apps recorded exactly once (R8, R19) and last uses written without a version change (R22).
public abstract partial class ApiTokenStoreSpecification
{
    [TestMethod]
    [TestCategory("R22")]
    public async Task RecordUsesAsync_SetsLastUseOfAppsAndToken_OnlyForward_WithoutChangingTheVersion()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var a = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Allow, T0), new TokenApp("terraform", AppState.Allow, T0)] }, ct);
        var b = await store.CreateAsync(NewToken(a.AccountId) with { Apps = [new TokenApp("cosi", AppState.Allow, T0)] }, ct);

        await store.RecordUsesAsync(
            [
                new ApiTokenUse(a.Id, "cosi", T0.AddMinutes(5)),
                new ApiTokenUse(a.Id, "terraform", T0.AddMinutes(7)),
                new ApiTokenUse(b.Id, "cosi", T0.AddMinutes(3)),
                new ApiTokenUse(b.Id, "never-recorded", T0.AddMinutes(9)),
                new ApiTokenUse("no-such-token", "cosi", T0.AddMinutes(9)),
            ],
            ct);
        await store.RecordUsesAsync([new ApiTokenUse(a.Id, "cosi", T0.AddMinutes(1))], ct);

        var foundA = await store.FindByIdAsync(a.Id, ct);
        var foundB = await store.FindByIdAsync(b.Id, ct);
        Assert.AreEqual(T0.AddMinutes(5), foundA!.FindApp("cosi")!.LastUsedAt, "an older use never moves the time back");
        Assert.AreEqual(T0.AddMinutes(7), foundA.FindApp("terraform")!.LastUsedAt);
        Assert.AreEqual(T0.AddMinutes(7), foundA.LastUsedAt, "the token's last use is its latest app's");
        Assert.AreEqual(T0.AddMinutes(3), foundB!.LastUsedAt, "an unknown app is not recorded and moves nothing");
        Assert.HasCount(1, foundB.Apps);
        Assert.AreEqual(a.Version, foundA.Version, "a use is not a change (no version, no conflict with managers)");
        Assert.AreEqual(b.Version, foundB.Version);
        Assert.IsNull(await store.FindByIdAsync("no-such-token", ct));
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task UpdateAsync_KeepsTheStoredLastUse_WhateverTheTokenPassedHolds()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Allow, T0)] }, ct);
        await store.RecordUsesAsync([new ApiTokenUse(created.Id, "cosi", T0.AddMinutes(5))], ct);

        // A manager read the token before the use was written, and saves a change now.
        var updated = await store.UpdateAsync(created with { Description = "changed", Apps = [created.Apps[0] with { State = AppState.Deny }] }, ct);

        var found = await store.FindByIdAsync(created.Id, ct);
        Assert.AreEqual(T0.AddMinutes(5), found!.LastUsedAt);
        Assert.AreEqual(T0.AddMinutes(5), found.FindApp("cosi")!.LastUsedAt);
        Assert.AreEqual(AppState.Deny, found.FindApp("cosi")!.State);
        Assert.AreEqual(T0.AddMinutes(5), updated.LastUsedAt);
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task RecordUsesAsync_ABatchOfHundreds_IsWrittenWhole()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var tokens = new List<ApiToken>();
        for (var i = 0; i < 100; i++)
        {
            tokens.Add(await store.CreateAsync(NewToken(account, "bob" + i) with { Apps = [new TokenApp("a", AppState.Allow, T0), new TokenApp("b", AppState.Allow, T0)] }, ct));
        }

        await store.RecordUsesAsync([.. tokens.SelectMany(t => new[] { new ApiTokenUse(t.Id, "a", T0.AddSeconds(1)), new ApiTokenUse(t.Id, "b", T0.AddSeconds(2)) })], ct);

        foreach (var token in tokens)
        {
            var found = await store.FindByIdAsync(token.Id, ct);
            Assert.AreEqual(T0.AddSeconds(1), found!.FindApp("a")!.LastUsedAt);
            Assert.AreEqual(T0.AddSeconds(2), found.LastUsedAt);
        }
    }

    [TestMethod]
    [TestCategory("R8")]
    public async Task RecordAppAsync_NewApp_AddsItAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Pending, T0), 10, TestContext.CancellationToken);

        Assert.IsNotNull(stored);
        Assert.AreEqual(created.Version + 1, stored.Version);
        Assert.AreEqual(new TokenApp("cosi", AppState.Pending, T0), stored.FindApp("cosi"));
        Assert.AreEqual(stored.Version, (await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.Version);
    }

    [TestMethod]
    [TestCategory("R9")]
    public async Task RecordAppAsync_RecordedApp_KeepsItsStateAndVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Deny, T0)] }, TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Allow, T0.AddDays(1)), 10, TestContext.CancellationToken);

        Assert.AreEqual(created.Version, stored!.Version);
        Assert.AreEqual(AppState.Deny, stored.FindApp("cosi")!.State);
        Assert.AreEqual(T0, stored.FindApp("cosi")!.FirstSeenAt);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task RecordAppAsync_NamesDifferingInCase_AreDifferentApps()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        await store.RecordAppAsync(created.Id, new TokenApp("Cosi", AppState.Allow, T0), 10, TestContext.CancellationToken);
        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Deny, T0), 10, TestContext.CancellationToken);

        Assert.HasCount(2, stored!.Apps);
        Assert.AreEqual(AppState.Allow, stored.FindApp("Cosi")!.State);
        Assert.AreEqual(AppState.Deny, stored.FindApp("cosi")!.State);
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task RecordAppAsync_AtLimit_ChangesNothing()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("a", AppState.Allow, T0), new TokenApp("b", AppState.Allow, T0)] }, TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("c", AppState.Allow, T0), 2, TestContext.CancellationToken);

        Assert.AreEqual(created.Version, stored!.Version);
        Assert.IsNull(stored.FindApp("c"));
        Assert.HasCount(2, (await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    public async Task RecordAppAsync_UnknownToken_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        Assert.IsNull(await store.RecordAppAsync("does-not-exist", new TokenApp("a", AppState.Allow, T0), 10, TestContext.CancellationToken));
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task RecordAppAsync_ConcurrentFirstUses_RecordOnce()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, ConcurrentWriters).Select(i => Task.Run(async () =>
        {
            start.Wait(TestContext.CancellationToken);
            return await store.RecordAppAsync(created.Id, new TokenApp("race", i % 2 == 0 ? AppState.Allow : AppState.Deny, T0.AddSeconds(i)), 10, TestContext.CancellationToken);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        var final = await store.FindByIdAsync(created.Id, TestContext.CancellationToken);
        Assert.HasCount(1, final!.Apps);
        Assert.AreEqual(created.Version + 1, final.Version);
        var winner = final.Apps[0];
        foreach (var result in results)
        {
            Assert.AreEqual(winner, result!.FindApp("race"), "every caller sees the one recorded app");
        }
    }

    [TestMethod]
    [TestCategory("R8")]
    [TestCategory("R24")]
    public async Task RecordAppAsync_SaysWhetherThisCallRecordedTheApp()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("full", AppState.Allow, T0)] }, ct);

        var first = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Pending, T0), 10, null, ct);
        var again = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Pending, T0.AddSeconds(1)), 10, null, ct);
        var atLimit = await store.RecordAppAsync(created.Id, new TokenApp("third", AppState.Pending, T0), 2, null, ct);
        var unknown = await store.RecordAppAsync("does-not-exist", new TokenApp("cosi", AppState.Pending, T0), 10, null, ct);

        Assert.IsTrue(first.Recorded);
        Assert.AreEqual(created.Version + 1, first.Token!.Version);
        Assert.IsFalse(again.Recorded, "already recorded");
        Assert.AreEqual(first.Token.Version, again.Token!.Version);
        Assert.IsFalse(atLimit.Recorded, "at the limit");
        Assert.IsNull(atLimit.Token!.FindApp("third"));
        Assert.IsFalse(unknown.Recorded);
        Assert.IsNull(unknown.Token);
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task RecordAppAsync_ConcurrentFirstUses_ExactlyOneSaysItRecorded()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, ConcurrentWriters).Select(i => Task.Run(async () =>
        {
            start.Wait(TestContext.CancellationToken);
            return await store.RecordAppAsync(created.Id, new TokenApp("race", AppState.Allow, T0.AddSeconds(i)), 10, null, TestContext.CancellationToken);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        Assert.AreEqual(1, results.Count(r => r.Recorded));
        Assert.IsTrue(results.All(r => r.Token!.FindApp("race") is not null));
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task UpdateAsync_AfterAppRecorded_ConflictsInsteadOfDroppingTheApp()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        await store.RecordAppAsync(created.Id, new TokenApp("new", AppState.Pending, T0), 10, TestContext.CancellationToken);

        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(created with { Description = "stale" }, cancellationToken: TestContext.CancellationToken));

        Assert.IsNotNull((await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.FindApp("new"));
    }
}
