using System.Security.Cryptography;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenBatchLookupStore"/> (refresh-ahead reloads and leak reports in
/// one call) as MSTest tests.
/// </summary>
public abstract class ApiTokenBatchLookupStoreSpecification : StoreSpecification<IApiTokenBatchLookupStore>
{
    [TestMethod]
    [TestCategory("R23")]
    public async Task FindBySecretHashesAsync_WithoutRetired_FindsEachActiveTokenOnce_ByItsCurrentOrPreviousHash()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var plain = await store.CreateAsync(NewToken(account) with { Apps = [new TokenApp("cosi", AppState.Allow, T0), new TokenApp("terraform", AppState.Deny, T0)] }, ct);
        var rotated = await store.CreateAsync(NewToken(account), ct);
        var first = rotated.SecretHash;
        rotated = await store.UpdateAsync(rotated with { SecretHash = RandomNumberGenerator.GetBytes(32), PreviousSecretHash = first, PreviousSecretExpiresAt = T0.AddHours(1), RotatedAt = T0 }, ct);
        var previousOnly = await store.CreateAsync(NewToken(account), ct);
        var dropped = previousOnly.SecretHash;
        previousOnly = await store.UpdateAsync(previousOnly with { SecretHash = RandomNumberGenerator.GetBytes(32), PreviousSecretHash = dropped, PreviousSecretExpiresAt = T0.AddHours(1), RotatedAt = T0 }, ct);
        var retired = await store.CreateAsync(NewToken(account), ct);
        await store.UpdateAsync(retired with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var untouched = await store.CreateAsync(NewToken(account), ct);

        var found = await store.FindBySecretHashesAsync(
            [(byte[])plain.SecretHash.Clone(), rotated.SecretHash, first, dropped, retired.SecretHash, RandomNumberGenerator.GetBytes(32)],
            includeRetired: false,
            ct);

        CollectionAssert.AreEquivalent(
            new[] { plain.Id, rotated.Id, previousOnly.Id },
            found.Select(t => t.Id).ToArray(),
            "each active token once (the rotated one by both hashes); the retired, the unknown and the token not asked for are not returned");
        var withApps = found.Single(t => t.Id == plain.Id);
        Assert.AreEqual(AppState.Allow, withApps.FindApp("cosi")?.State, "apps come with their token");
        Assert.AreEqual(AppState.Deny, withApps.FindApp("terraform")?.State);
        Assert.AreEqual(plain.Version, withApps.Version);
        var byPrevious = found.Single(t => t.Id == previousOnly.Id);
        CollectionAssert.AreEqual(dropped, byPrevious.PreviousSecretHash, "the caller can tell which hash found it");
        Assert.AreEqual(T0.AddHours(1), byPrevious.PreviousSecretExpiresAt);
        Assert.IsFalse(found.Any(t => t.Id == untouched.Id));
    }

    [TestMethod]
    [TestCategory("R31")]
    public async Task FindBySecretHashesAsync_WithRetired_FindsRetiredAndActiveTokens_ByCurrentOrPreviousHash_EachOnce()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var retired = await store.CreateAsync(NewToken(account) with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var rotated = await store.CreateAsync(NewToken(account), ct);
        var previous = rotated.SecretHash;
        var current = RandomNumberGenerator.GetBytes(32);
        await store.UpdateAsync(rotated with { SecretHash = current, PreviousSecretHash = previous, PreviousSecretExpiresAt = T0.AddHours(1), RotatedAt = T0 }, ct);
        await store.CreateAsync(NewToken(account), ct);

        var found = await store.FindBySecretHashesAsync([retired.SecretHash, previous, current, RandomNumberGenerator.GetBytes(32)], includeRetired: true, ct);

        CollectionAssert.AreEquivalent(new[] { retired.Id, rotated.Id }, found.Select(t => t.Id).ToArray(), "the retired token, and the rotated one once");
        Assert.IsTrue(found.Single(t => t.Id == retired.Id).IsRetired);
        Assert.IsEmpty(await store.FindBySecretHashesAsync([], includeRetired: true, ct));
    }

    [TestMethod]
    public async Task FindBySecretHashesAsync_WithoutRetired_NoHashesOrNoMatch_ReturnsEmpty()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        await store.CreateAsync(NewToken(NewAccount()), ct);

        Assert.IsEmpty(await store.FindBySecretHashesAsync([], includeRetired: false, ct));
        Assert.IsEmpty(await store.FindBySecretHashesAsync([RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)], includeRetired: false, ct));
    }
}
