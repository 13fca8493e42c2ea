using ApiTokens.Auditing;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenAuditStore"/> as MSTest tests: records written with their
/// changes (R24) and read back, paged.
/// </summary>
public abstract class ApiTokenAuditStoreSpecification : StoreSpecification<IApiTokenAuditStore>
{
    [TestMethod]
    [TestCategory("R24")]
    public async Task Audit_IsWrittenWithTheChange_AndNotWithARefusedOne()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var token = NewToken(account, "bob");
        var created = await store.TryCreateAsync(token, 1, Audit(token, "token.created"), ct);
        Assert.IsNull(await store.TryCreateAsync(NewToken(account, "bob") with { Id = "refused-" + token.Id[..8] }, 1, Audit(token with { Id = "refused" }, "token.created"), ct), "at the quota");

        var updated = await store.UpdateAsync(created! with { Description = "changed" }, Audit(token, "token.updated", new ApiTokenAuditChange("description", "ci deploys", "changed")), ct);
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(created with { Description = "stale" }, Audit(token, "token.stale"), ct));
        await store.AppendAuditAsync(Audit(token, "token.capped_by_role_change"), ct);

        var page = await store.ListAuditAsync(account, null, null, 100, ct);

        CollectionAssert.AreEqual(new[] { "token.capped_by_role_change", "token.updated", "token.created" }, page.Records.Select(r => r.Action).ToArray(), "newest first; the refused creation and the stale update left none");
        Assert.IsTrue(page.Records[0].Sequence > page.Records[1].Sequence && page.Records[1].Sequence > page.Records[2].Sequence);
        Assert.AreEqual(new ApiTokenAuditChange("description", "ci deploys", "changed"), page.Records[1].Changes.Single(), "changes round-trip");
        Assert.AreEqual(T0, page.Records[1].At);
        Assert.AreEqual("bob", page.Records[1].Actor);
        Assert.AreEqual(token.Id, page.Records[1].TokenId);
        Assert.AreEqual(2, updated.Version);
    }

    [TestMethod]
    [TestCategory("R24")]
    [TestCategory("R19")]
    public async Task Audit_ConcurrentFirstUsesOfOneApp_WriteOneRecord()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var token = await store.CreateAsync(NewToken(account), TestContext.CancellationToken);

        await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(i =>
            Task.Run(() => store.RecordAppAsync(token.Id, new TokenApp("racer", AppState.Pending, T0), 100, Audit(token, "app.first_seen") with { Id = "first-" + i }, TestContext.CancellationToken))));

        var page = await store.ListAuditAsync(account, token.Id, null, 100, TestContext.CancellationToken);
        Assert.HasCount(1, page.Records, "one app, one record");
    }

    [TestMethod]
    [TestCategory("R24")]
    public async Task ListAuditAsync_ByTokenOrAccount_PagedWithBefore()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var a = await store.CreateAsync(NewToken(account), ct);
        var b = await store.CreateAsync(NewToken(account, "carol"), ct);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAuditAsync(Audit(a, "a" + i), ct);
            await store.AppendAuditAsync(Audit(b, "b" + i), ct);
        }

        await store.AppendAuditAsync(Audit(NewToken(NewAccount()), "elsewhere"), ct);

        var first = await store.ListAuditAsync(account, a.Id, null, 2, ct);
        var second = await store.ListAuditAsync(account, a.Id, first.NextBefore, 2, ct);
        var third = await store.ListAuditAsync(account, a.Id, second.NextBefore, 2, ct);
        var all = await store.ListAuditAsync(account, null, null, 1_000, ct);

        CollectionAssert.AreEqual(new[] { "a4", "a3" }, first.Records.Select(r => r.Action).ToArray());
        CollectionAssert.AreEqual(new[] { "a2", "a1" }, second.Records.Select(r => r.Action).ToArray());
        CollectionAssert.AreEqual(new[] { "a0" }, third.Records.Select(r => r.Action).ToArray());
        Assert.IsNull(third.NextBefore);
        Assert.HasCount(10, all.Records, "the account's records, none of another account");
        Assert.AreEqual("b4", all.Records[0].Action);
    }
}
