using System.Security.Cryptography;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenStore"/>, the core every store implements, as MSTest tests. A
/// store's test project derives a <c>[TestClass]</c> from this class and returns the store from
/// <see cref="StoreSpecification{TStore}.CreateStoreAsync"/>; every test method here then runs
/// against it. The in-memory and Entity Framework Core stores of ApiTokens prove themselves with this
/// very suite, and a store that implements only the core passes it.
/// </summary>
public abstract partial class ApiTokenStoreSpecification : StoreSpecification<IApiTokenStore>
{
    [TestMethod]
    public async Task CreateAsync_ThenFindById_RoundTripsEveryField()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount()) with
        {
            Apps = [new TokenApp("Terraform v1.9.2", AppState.Deny, T0.AddSeconds(5))],
            RetiredAt = T0.AddHours(1),
            RetiredBy = "bob",
            PromotedAt = T0.AddMinutes(30),
            PromotedBy = "alice",
            FormerOwnerId = "carol",
            ExpiresAt = T0.AddDays(30),
            RotatedAt = T0.AddMinutes(10),
            PreviousSecretHash = RandomNumberGenerator.GetBytes(32),
            PreviousSecretExpiresAt = T0.AddMinutes(70),
            AllowedNetworks = ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"],
            RateLimit = new ApiTokenRateLimit(100, 60),
            Scopes = ["account:read", "annotation:*", "user.profile:read-all"],
        };

        var created = await store.CreateAsync(token, TestContext.CancellationToken);
        var found = await store.FindByIdAsync(token.Id, TestContext.CancellationToken);

        Assert.IsNotNull(found);
        Assert.AreEqual(1, created.Version);
        Assert.AreEqual(created.Version, found.Version);
        Assert.AreEqual(token.Type, found.Type);
        Assert.AreEqual(token.AccountId, found.AccountId);
        Assert.AreEqual(token.OwnerId, found.OwnerId);
        Assert.AreEqual(token.CreatedBy, found.CreatedBy);
        Assert.AreEqual(token.CreatedAt, found.CreatedAt);
        Assert.AreEqual(token.Description, found.Description);
        Assert.AreEqual(token.Privilege, found.Privilege);
        Assert.AreEqual(token.DefaultAppState, found.DefaultAppState);
        Assert.AreEqual(token.RetiredAt, found.RetiredAt);
        Assert.AreEqual(token.RetiredBy, found.RetiredBy);
        Assert.AreEqual(token.PromotedAt, found.PromotedAt);
        Assert.AreEqual(token.PromotedBy, found.PromotedBy);
        Assert.AreEqual(token.FormerOwnerId, found.FormerOwnerId);
        Assert.AreEqual(token.SecretHint, found.SecretHint);
        CollectionAssert.AreEqual(token.SecretHash, found.SecretHash);
        Assert.AreEqual(token.ExpiresAt, found.ExpiresAt);
        Assert.AreEqual(token.RotatedAt, found.RotatedAt);
        CollectionAssert.AreEqual(token.PreviousSecretHash, found.PreviousSecretHash);
        Assert.AreEqual(token.PreviousSecretExpiresAt, found.PreviousSecretExpiresAt);
        Assert.HasCount(1, found.Apps);
        Assert.AreEqual(token.Apps[0], found.Apps[0]);
        CollectionAssert.AreEqual(token.AllowedNetworks.ToArray(), found.AllowedNetworks.ToArray(), "R33: the ranges, in order");
        Assert.AreEqual(token.RateLimit, found.RateLimit, "R34");
        CollectionAssert.AreEqual(token.Scopes.ToArray(), found.Scopes.ToArray(), "R42: the scopes, in order");
    }

    [TestMethod]
    [TestCategory("R42")]
    public async Task UpdateAsync_SetsAndClearsScopes()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateAsync(NewToken(NewAccount()), ct);
        Assert.IsEmpty(created.Scopes);

        var set = await store.UpdateAsync(created with { Scopes = ["annotation:write"] }, ct);
        var found = await store.FindBySecretHashAsync(created.SecretHash, includeRetired: false, ct);
        CollectionAssert.AreEqual(new[] { "annotation:write" }, found!.Scopes.ToArray());

        await store.UpdateAsync(set with { Scopes = [] }, ct);
        found = await store.FindByIdAsync(created.Id, ct);
        Assert.IsEmpty(found!.Scopes, "unscoped again");
    }

    [TestMethod]
    [TestCategory("R33")]
    [TestCategory("R34")]
    public async Task UpdateAsync_SetsAndClearsNetworksAndRateLimit()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateAsync(NewToken(NewAccount()), ct);
        Assert.IsEmpty(created.AllowedNetworks);
        Assert.IsNull(created.RateLimit);

        var set = await store.UpdateAsync(created with { AllowedNetworks = ["10.0.0.0/8"], RateLimit = new ApiTokenRateLimit(5, 1) }, ct);
        var found = await store.FindBySecretHashAsync(created.SecretHash, includeRetired: false, ct);
        CollectionAssert.AreEqual(new[] { "10.0.0.0/8" }, found!.AllowedNetworks.ToArray());
        Assert.AreEqual(new ApiTokenRateLimit(5, 1), found.RateLimit);

        await store.UpdateAsync(set with { AllowedNetworks = [], RateLimit = null }, ct);
        found = await store.FindByIdAsync(created.Id, ct);
        Assert.IsEmpty(found!.AllowedNetworks);
        Assert.IsNull(found.RateLimit);
    }

    [TestMethod]
    public async Task CreateAsync_DuplicateId_ThrowsStoreExceptionAndKeepsFirst()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount());
        await store.CreateAsync(token, TestContext.CancellationToken);

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.CreateAsync(token with { Description = "second" }, TestContext.CancellationToken));

        var found = await store.FindByIdAsync(token.Id, TestContext.CancellationToken);
        Assert.AreEqual("ci deploys", found!.Description);
    }

    [TestMethod]
    public async Task CreateAsync_DuplicateIdWithAnotherHash_ThrowsStoreExceptionAndKeepsFirst()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount());
        await store.CreateAsync(token, TestContext.CancellationToken);
        var sameId = NewToken(token.AccountId) with { Id = token.Id, Description = "second" };

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.CreateAsync(sameId, TestContext.CancellationToken));

        Assert.AreEqual("ci deploys", (await store.FindByIdAsync(token.Id, TestContext.CancellationToken))!.Description);
        Assert.IsNull(await store.FindBySecretHashAsync(sameId.SecretHash, includeRetired: false, TestContext.CancellationToken), "the refused token's hash finds nothing");
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task CreateAsync_DuplicateSecretHashWithAnotherId_ThrowsStoreExceptionAndKeepsFirst()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount());
        await store.CreateAsync(token, TestContext.CancellationToken);
        var sameHash = NewToken(token.AccountId) with { SecretHash = (byte[])token.SecretHash.Clone() };

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.CreateAsync(sameHash, TestContext.CancellationToken));

        Assert.IsNull(await store.FindByIdAsync(sameHash.Id, TestContext.CancellationToken), "the refused token was not stored");
        Assert.AreEqual(token.Id, (await store.FindBySecretHashAsync(token.SecretHash, includeRetired: false, TestContext.CancellationToken))?.Id, "the hash still finds the first token");
    }

    [TestMethod]
    [TestCategory("R36")]
    public async Task TryCreateAsync_SecretHashOfARetiredOrRotatedToken_ThrowsDuplicateSecret_AndAddsNothing()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var retired = await store.CreateAsync(NewToken(account) with { RetiredAt = T0, RetiredBy = "alice" }, ct);
        var rotated = await store.CreateAsync(NewToken(account), ct);
        var previous = rotated.SecretHash;
        await store.UpdateAsync(rotated with { SecretHash = RandomNumberGenerator.GetBytes(32), PreviousSecretHash = previous, PreviousSecretExpiresAt = T0.AddHours(1), RotatedAt = T0 }, ct);

        foreach (var hash in new[] { retired.SecretHash, previous })
        {
            var copy = NewToken(NewAccount(), null, TokenType.Account) with { SecretHash = (byte[])hash.Clone() };
            await Assert.ThrowsAsync<ApiTokenDuplicateSecretException>(() => store.TryCreateAsync(copy, 10, Audit(copy, "token.created"), ct));
            Assert.IsNull(await store.FindByIdAsync(copy.Id, ct), "nothing was added");
        }
    }

    [TestMethod]
    [TestCategory("R36")]
    public async Task TryCreateAsync_ConcurrentCreationsWithOneSecretHash_ExactlyOneSucceeds()
    {
        var store = await CreateStoreAsync();
        var hash = RandomNumberGenerator.GetBytes(32);
        var account = NewAccount();

        // Different holders (user tokens of many owners, and account tokens) so no quota lock
        // serializes them: only the store's uniqueness can.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(i => Task.Run(async () =>
        {
            var token = NewToken(account, "owner" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i % 2 == 0 ? TokenType.User : TokenType.Account) with { SecretHash = (byte[])hash.Clone() };
            try
            {
                return await store.TryCreateAsync(token, ConcurrentWriters, null, TestContext.CancellationToken) is not null;
            }
            catch (ApiTokenDuplicateSecretException)
            {
                return false;
            }
        })));

        Assert.AreEqual(1, outcomes.Count(created => created));
        Assert.IsNotNull(await store.FindBySecretHashAsync(hash, includeRetired: false, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task UpdateAsync_NeverChangesTheAccount()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        var updated = await store.UpdateAsync(created with { AccountId = NewAccount(), Description = "changed" }, cancellationToken: TestContext.CancellationToken);

        var found = await store.FindByIdAsync(created.Id, TestContext.CancellationToken);
        Assert.AreEqual("changed", found!.Description, "the rest of the update applies");
        Assert.AreEqual(created.AccountId, found.AccountId);
        Assert.AreEqual(created.AccountId, updated.AccountId);
        Assert.HasCount(1, await store.ListAllAsync(created.AccountId, null, TestContext.CancellationToken));
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task UpdateAsync_Rotation_FindsTheTokenByTheNewAndPreviousHash_NotByADroppedOne()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Allow, T0)] }, ct);
        var first = created.SecretHash;
        var second = RandomNumberGenerator.GetBytes(32);
        var third = RandomNumberGenerator.GetBytes(32);

        var rotated = await store.UpdateAsync(created with { SecretHash = second, PreviousSecretHash = first, PreviousSecretExpiresAt = T0.AddHours(1), RotatedAt = T0 }, ct);

        Assert.AreEqual(created.Id, (await store.FindBySecretHashAsync(second, includeRetired: false, ct))?.Id, "the new secret finds the token");
        var byPrevious = await store.FindBySecretHashAsync(first, includeRetired: false, ct);
        Assert.AreEqual(created.Id, byPrevious?.Id, "the previous secret finds the same token");
        CollectionAssert.AreEqual(second, byPrevious!.SecretHash);
        Assert.AreEqual(AppState.Allow, byPrevious.FindApp("cosi")?.State, "apps and decisions are kept");
        Assert.AreEqual(T0.AddHours(1), byPrevious.PreviousSecretExpiresAt);

        await store.UpdateAsync(rotated with { SecretHash = third, PreviousSecretHash = second, PreviousSecretExpiresAt = T0.AddHours(2) }, ct);

        Assert.IsNull(await store.FindBySecretHashAsync(first, includeRetired: false, ct), "a second rotation drops the first secret");
        Assert.AreEqual(created.Id, (await store.FindBySecretHashAsync(second, includeRetired: false, ct))?.Id);
        Assert.AreEqual(created.Id, (await store.FindBySecretHashAsync(third, includeRetired: false, ct))?.Id);
        var again = await store.FindByIdAsync(created.Id, ct);
        await store.UpdateAsync(again! with { PreviousSecretHash = null, PreviousSecretExpiresAt = null }, ct);
        Assert.IsNull(await store.FindBySecretHashAsync(second, includeRetired: false, ct), "a previous secret cleared is not found");
    }

    [TestMethod]
    public async Task FindBySecretHashAsync_KnownAndUnknownHash()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount());
        await store.CreateAsync(token, TestContext.CancellationToken);

        var found = await store.FindBySecretHashAsync((byte[])token.SecretHash.Clone(), includeRetired: false, TestContext.CancellationToken);
        var missing = await store.FindBySecretHashAsync(RandomNumberGenerator.GetBytes(32), includeRetired: false, TestContext.CancellationToken);

        Assert.AreEqual(token.Id, found?.Id);
        Assert.IsNull(missing);
    }

    [TestMethod]
    [TestCategory("R13")]
    public async Task FindBySecretHashAsync_RetiredToken_FoundOnlyWithIncludeRetired_AndById()
    {
        var store = await CreateStoreAsync();
        var token = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Allow, T0)] }, TestContext.CancellationToken);
        var retired = await store.UpdateAsync(token with { RetiredAt = T0, RetiredBy = "alice" }, TestContext.CancellationToken);

        Assert.IsNull(await store.FindBySecretHashAsync(token.SecretHash, includeRetired: false, TestContext.CancellationToken));
        Assert.AreEqual(token.Id, (await store.FindBySecretHashAsync(token.SecretHash, includeRetired: true, TestContext.CancellationToken))?.Id, "a leak report finds retired secrets (R31)");
        Assert.IsTrue((await store.FindByIdAsync(token.Id, TestContext.CancellationToken))!.IsRetired, retired.Id);
    }

    [TestMethod]
    public async Task FindByIdAsync_Unknown_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        Assert.IsNull(await store.FindByIdAsync("does-not-exist", TestContext.CancellationToken));
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task UpdateAsync_CurrentVersion_ReplacesAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        var updated = await store.UpdateAsync(created with { Privilege = TokenPrivilege.ReadOnly, Apps = [new TokenApp("a", AppState.Allow, T0)] }, cancellationToken: TestContext.CancellationToken);
        var found = await store.FindByIdAsync(created.Id, TestContext.CancellationToken);

        Assert.AreEqual(created.Version + 1, updated.Version);
        Assert.AreEqual(updated.Version, found!.Version);
        Assert.AreEqual(TokenPrivilege.ReadOnly, found.Privilege);
        Assert.AreEqual("a", found.Apps.Single().Name);
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task UpdateAsync_StaleVersion_ThrowsConflictAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        await store.UpdateAsync(created with { Description = "winner" }, cancellationToken: TestContext.CancellationToken);

        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(created with { Description = "loser" }, cancellationToken: TestContext.CancellationToken));

        var found = await store.FindByIdAsync(created.Id, TestContext.CancellationToken);
        Assert.AreEqual("winner", found!.Description);
        Assert.AreEqual(created.Version + 1, found.Version);
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task UpdateAsync_MissingToken_ThrowsConflict()
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(NewToken(NewAccount()) with { Version = 1 }, TestContext.CancellationToken));
    }
}
