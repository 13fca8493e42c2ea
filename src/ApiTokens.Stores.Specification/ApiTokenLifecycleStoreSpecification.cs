
namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenLifecycleStore"/> (R38) as MSTest tests: the sweep's candidates
/// are exactly the tokens <see cref="ApiTokenLifecycleQuery.Matches"/> selects, paged by id, and the
/// markers of what was raised survive a write and a read.
/// </summary>
/// <remarks>The candidates are not per account, so the tests look only at their own account's tokens among them.</remarks>
public abstract class ApiTokenLifecycleStoreSpecification : StoreSpecification<IApiTokenLifecycleStore>
{
    [TestMethod]
    [TestCategory("R38")]
    public async Task FindLifecycleCandidatesAsync_SelectsExpiringAndIdleLiveTokens_NotThoseAlreadyWarned()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var expired = await store.CreateAsync(NewToken(account) with { ExpiresAt = T0.AddDays(10) }, ct);
        var farAndUsed = await store.CreateAsync(NewToken(account) with { ExpiresAt = T0.AddDays(100) }, ct);
        var idle = await store.CreateAsync(NewToken(account), ct);
        var used = await store.CreateAsync(NewToken(account), ct);
        var retired = await store.CreateAsync(NewToken(account) with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var warnedExpired = await store.CreateAsync(NewToken(account) with { ExpiresAt = T0.AddDays(20) }, ct);
        var warnedIdle = await store.CreateAsync(NewToken(account), ct);
        warnedExpired = await store.UpdateAsync(warnedExpired with { ExpiryWarnedFor = T0.AddDays(20), ExpiryWarnedThreshold = TimeSpan.Zero }, null, ct);
        warnedIdle = await store.UpdateAsync(warnedIdle with { UnusedWarnedSince = warnedIdle.CreatedAt }, null, ct);
        await UseAsync(store, farAndUsed, T0.AddDays(55));
        await UseAsync(store, used, T0.AddDays(50));

        var now = T0.AddDays(60);
        var candidates = await CandidatesAsync(store, account, new ApiTokenLifecycleQuery(now, now.AddDays(30), now.AddDays(-30), null));
        CollectionAssert.AreEquivalent(new[] { expired.Id, idle.Id }, candidates);

        var retiring = await CandidatesAsync(store, account, new ApiTokenLifecycleQuery(now, now.AddDays(30), now.AddDays(-30), now.AddDays(-50)));
        CollectionAssert.AreEquivalent(new[] { expired.Id, idle.Id, warnedIdle.Id }, retiring, "idle past the retirement age, warned or not");
        Assert.IsFalse(retiring.Contains(retired.Id) || retiring.Contains(warnedExpired.Id));
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task TheMarkersOfWhatWasRaised_SurviveAWriteAndARead()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var token = await store.CreateAsync(NewToken(NewAccount()) with { ExpiresAt = T0.AddDays(30) }, ct);

        await store.UpdateAsync(token with { ExpiryWarnedFor = T0.AddDays(30), ExpiryWarnedThreshold = TimeSpan.FromDays(7), UnusedWarnedSince = T0, SelfRotate = true }, null, ct);
        var read = await store.FindByIdAsync(token.Id, ct);

        Assert.IsTrue(read!.SelfRotate, "R39's switch is kept with the rest");
        Assert.AreEqual(T0.AddDays(30), read.ExpiryWarnedFor);
        Assert.AreEqual(TimeSpan.FromDays(7), read.ExpiryWarnedThreshold);
        Assert.AreEqual(T0, read.UnusedWarnedSince);
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task FindLifecycleCandidatesAsync_PagesInIdOrder_EachTokenOnce()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await store.CreateAsync(NewToken(account), ct)).Id);
        }

        var now = T0.AddDays(400);
        var query = new ApiTokenLifecycleQuery(now, now, now.AddDays(-90), null);
        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await store.FindLifecycleCandidatesAsync(query, after, 3, ct);
            CollectionAssert.AreEqual(page.Select(t => t.Id).Order(StringComparer.Ordinal).ToArray(), page.Select(t => t.Id).ToArray(), "in id order");
            seen.AddRange(page.Where(t => t.AccountId == account).Select(t => t.Id));
            if (page.Count < 3)
            {
                break;
            }

            after = page[^1].Id;
        }

        CollectionAssert.AreEquivalent(ids, seen);
    }

    [TestMethod]
    public async Task FindRecentlyUsedAsync_LiveUsedTokens_NewestUseFirst()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var older = await store.CreateAsync(NewToken(account), ct);
        var newer = await store.CreateAsync(NewToken(account), ct);
        var retired = await store.CreateAsync(NewToken(account) with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var expired = await store.CreateAsync(NewToken(account) with { ExpiresAt = T0.AddDays(1) }, ct);
        await store.CreateAsync(NewToken(account), ct);   // never used
        await UseAsync(store, older, T0.AddDays(3000));
        await UseAsync(store, newer, T0.AddDays(3001));
        await UseAsync(store, retired, T0.AddDays(3002));
        await UseAsync(store, expired, T0.AddDays(3003));

        var recent = await store.FindRecentlyUsedAsync(T0.AddDays(3005), 1_000_000, ct);

        CollectionAssert.AreEqual(new[] { newer.Id, older.Id }, recent.Where(t => t.AccountId == account).Select(t => t.Id).ToArray());
    }

    private async Task UseAsync(IApiTokenLifecycleStore store, ApiToken token, DateTimeOffset at)
    {
        await store.RecordAppAsync(token.Id, new TokenApp("ci", AppState.Allow, at), 1_000, null, TestContext.CancellationToken);
        await store.RecordUsesAsync([new ApiTokenUse(token.Id, "ci", at)], TestContext.CancellationToken);
    }

    // Every page of candidates, this account's ids only.
    private async Task<List<string>> CandidatesAsync(IApiTokenLifecycleStore store, string account, ApiTokenLifecycleQuery query)
    {
        var ids = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await store.FindLifecycleCandidatesAsync(query, after, 1_000, TestContext.CancellationToken);
            ids.AddRange(page.Where(t => t.AccountId == account).Select(t => t.Id));
            if (page.Count < 1_000)
            {
                return ids;
            }

            after = page[^1].Id;
        }
    }
}
