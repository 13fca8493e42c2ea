using System.Security.Cryptography;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenStore"/>, the core every store implements, as MSTest tests. A
/// store's test project derives a <c>[TestClass]</c> from this class and returns the store from
/// <see cref="StoreSpecification{TStore}.CreateStoreAsync"/>; every test method here then runs
/// against it. The in-memory and Entity Framework Core stores of ApiTokens prove themselves with this
/// very suite, and a store that implements only the core passes it.
/// </summary>
public abstract class ApiTokenStoreSpecification : StoreSpecification<IApiTokenStore>
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
