
namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenUsageStore"/> (R35) as MSTest tests.
/// </summary>
public abstract class ApiTokenUsageStoreSpecification : StoreSpecification<IApiTokenUsageStore>
{
    [TestMethod]
    [TestCategory("R35")]
    public async Task RecordUsageAsync_SumsBatchesFromManyNodes_PerAppAndDay_ListsFromADay_PrunesBefore()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var token = await store.CreateAsync(NewToken(NewAccount()), ct);
        var other = await store.CreateAsync(NewToken(token.AccountId), ct);
        var today = new DateOnly(2026, 11, 28);

        // Two nodes' batches, and a third racing them: the store adds, it never overwrites.
        await Task.WhenAll(
            store.RecordUsageAsync([new(token.Id, "terraform", today, 5, 1, 0, 2), new(token.Id, "cosi", today, 3, 0, 0, 0)], ct),
            store.RecordUsageAsync([new(token.Id, "terraform", today, 7, 0, 4, 1), new(other.Id, "terraform", today, 100, 0, 0, 0)], ct),
            store.RecordUsageAsync([new(token.Id, "terraform", today.AddDays(-1), 9, 0, 0, 0), new(token.Id, "terraform", today.AddDays(-40), 1, 0, 0, 0), new("no-such-token", "x", today, 1, 0, 0, 0)], ct));

        var recent = (await store.ListUsageAsync(token.Id, today.AddDays(-30), ct)).OrderBy(u => u.Day).ThenBy(u => u.AppName, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(
            new[] { new ApiTokenUsageCount(token.Id, "terraform", today.AddDays(-1), 9, 0, 0, 0), new ApiTokenUsageCount(token.Id, "cosi", today, 3, 0, 0, 0), new ApiTokenUsageCount(token.Id, "terraform", today, 12, 1, 4, 3) },
            recent);
        Assert.IsEmpty(await store.ListUsageAsync("no-such-token", today.AddDays(-90), ct), "counts of unknown tokens are dropped");

        Assert.AreEqual(1, await store.PruneUsageAsync(today.AddDays(-30), ct));
        Assert.HasCount(3, await store.ListUsageAsync(token.Id, today.AddDays(-90), ct));
    }
}
