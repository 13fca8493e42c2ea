
namespace ApiTokens.Stores.Specification;

// Quotas counted atomically with the write they guard (R28), and keyset pages.
public abstract partial class ApiTokenStoreSpecification
{
    [TestMethod]
    [TestCategory("R28")]
    public async Task TryCreateAsync_CountsTheHoldersActiveTokensOfTheType_RefusesAtTheLimitAndAddsNothing()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var ct = TestContext.CancellationToken;
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "bob"), 2, ct));
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "bob") with { RetiredAt = T0, RetiredBy = "bob" }, 2, ct), "retired tokens are not active");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "bob"), 2, ct));
        var refused = NewToken(account, "bob");

        Assert.IsNull(await store.TryCreateAsync(refused, 2, ct));

        Assert.IsNull(await store.FindByIdAsync(refused.Id, ct), "a refused token is not stored");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "carol"), 2, ct), "another owner has a quota of its own");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, null, TokenType.Account), 1, ct), "account tokens count apart from user tokens");
        Assert.IsNull(await store.TryCreateAsync(NewToken(account, null, TokenType.Account), 1, ct));
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(NewAccount(), null, TokenType.Account), 1, ct), "another account has a quota of its own");
        Assert.AreEqual(2, (await store.ListAllAsync(account, "bob", ct)).Count(t => !t.IsRetired));
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task TryCreateAsync_ConcurrentCreations_NeverExceedTheLimit()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        const int limit = 5;

        var created = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(_ =>
            Task.Run(() => store.TryCreateAsync(NewToken(account, "bob"), limit, TestContext.CancellationToken))));

        Assert.AreEqual(limit, created.Count(t => t is not null));
        Assert.HasCount(limit, await store.ListAllAsync(account, "bob", TestContext.CancellationToken));
    }

    [TestMethod]
    [TestCategory("R14")]
    [TestCategory("R28")]
    public async Task TryUpdateAsync_Promotion_CountsTheAccountsActiveTokens_RefusesAtTheLimitAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var ct = TestContext.CancellationToken;
        await store.CreateAsync(NewToken(account, null, TokenType.Account), ct);
        await store.CreateAsync(NewToken(account, null, TokenType.Account) with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var first = await store.CreateAsync(NewToken(account, "bob"), ct);
        var second = await store.CreateAsync(NewToken(account, "bob"), ct);

        var promoted = await store.TryUpdateAsync(Promote(first), 2, null, ct);
        var refused = await store.TryUpdateAsync(Promote(second), 2, null, ct);

        Assert.IsNotNull(promoted, "one active account token and a retired one: room for one more");
        Assert.AreEqual(TokenType.Account, promoted.Type);
        Assert.IsNull(refused, "the account is at its limit");
        var unchanged = await store.FindByIdAsync(second.Id, ct);
        Assert.AreEqual(TokenType.User, unchanged!.Type, "a refused promotion changes nothing");
        Assert.AreEqual(second.Version, unchanged.Version);
        Assert.IsNotNull(await store.TryUpdateAsync(unchanged with { Description = "renamed" }, 1, null, ct), "a token's own holder counts its other tokens, not itself");
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.TryUpdateAsync(Promote(second), 2, null, ct), "a stale version is a conflict before it is a quota question");
    }

    [TestMethod]
    [TestCategory("R14")]
    [TestCategory("R28")]
    public async Task TryUpdateAsync_ConcurrentPromotionsAtTheQuotaEdge_NeverExceedTheLimit()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var ct = TestContext.CancellationToken;
        const int limit = 3;
        await store.CreateAsync(NewToken(account, null, TokenType.Account), ct);
        await store.CreateAsync(NewToken(account, null, TokenType.Account), ct);
        var users = new List<ApiToken>();
        for (var i = 0; i < ConcurrentWriters; i++)
        {
            users.Add(await store.CreateAsync(NewToken(account, "user" + i), ct));
        }

        using var start = new ManualResetEventSlim();
        var racing = users.Select(user => Task.Run(async () =>
        {
            start.Wait(ct);
            return await store.TryUpdateAsync(Promote(user), limit, null, ct);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(racing);

        Assert.AreEqual(1, results.Count(r => r is not null), "two account tokens and a limit of three: exactly one promotion wins");
        Assert.AreEqual(limit, (await store.ListAllAsync(account, null, ct)).Count(t => t.Type == TokenType.Account && !t.IsRetired));
    }

    [TestMethod]
    public async Task ListAsync_FiltersByAccountAndOwner_NewestFirst_RetiredIncluded()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var ct = TestContext.CancellationToken;
        var newer = await store.CreateAsync(NewToken(account, "bob", minutes: 2), ct);
        var older = await store.CreateAsync(NewToken(account, "bob", minutes: 1) with { RetiredAt = T0, RetiredBy = "bob" }, ct);
        var alices = await store.CreateAsync(NewToken(account, "alice", minutes: 3), ct);
        var accountToken = await store.CreateAsync(NewToken(account, null, TokenType.Account, minutes: 4), ct);
        await store.CreateAsync(NewToken(NewAccount(), "bob"), ct);

        var all = await store.ListAsync(account, null, null, 10, ct);
        var bobs = await store.ListAsync(account, "bob", null, 10, ct);

        CollectionAssert.AreEqual(new[] { accountToken.Id, alices.Id, newer.Id, older.Id }, all.Select(t => t.Id).ToArray());
        CollectionAssert.AreEqual(new[] { newer.Id, older.Id }, bobs.Select(t => t.Id).ToArray());
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task ListAsync_KeysetPages_ReturnEveryTokenOnce_InOrder_WithTiesBrokenById()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var ct = TestContext.CancellationToken;
        var created = new List<ApiToken>();
        for (var i = 0; i < 11; i++)
        {
            // Pairs share a creation time (down to the tick), so the id must break the tie.
            created.Add(await store.CreateAsync(NewToken(account, "bob", minutes: i / 2) with { CreatedAt = T0.AddMinutes(i / 2).AddTicks(1230) }, ct));
        }

        var expected = created.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id, StringComparer.Ordinal).Select(t => t.Id).ToArray();
        var firstPage = await store.ListAsync(account, null, null, 4, ct);
        var paged = await store.ListAllAsync(account, null, ct, pageSize: 4);
        var afterLast = await store.ListAsync(account, null, ApiTokenListPosition.Of(created.MinBy(t => (t.CreatedAt, t.Id))!), 4, ct);

        Assert.HasCount(4, firstPage, "the store reads at most the limit");
        CollectionAssert.AreEqual(expected[..4], firstPage.Select(t => t.Id).ToArray());
        CollectionAssert.AreEqual(expected, paged.Select(t => t.Id).ToArray());
        Assert.IsEmpty(afterLast);
    }
}
