using System.Security.Cryptography;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenStore"/> as MSTest tests. A store's test project derives a
/// <c>[TestClass]</c> from this class and returns the store from <see cref="CreateStoreAsync"/>;
/// every test method here then runs against it. The in-memory and Entity Framework Core stores of
/// ApiTokens prove themselves with this very suite.
/// </summary>
/// <remarks>
/// Each test works in an account of its own, so a store may share one database across tests and
/// test classes. Test names say what they check (<c>Method_Scenario_Expected</c>) and carry the
/// rule they prove as a <c>[TestCategory]</c>.
/// </remarks>
public abstract class ApiTokenStoreSpecification
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The MSTest context (set by the test runner).</summary>
    public TestContext TestContext { get; set; } = null!;

    /// <summary>How many writers race in the concurrency tests. Default: 64.</summary>
    protected virtual int ConcurrentWriters => 64;

    /// <summary>Returns the store under test: a new one, or one shared by the tests of the class.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IApiTokenStore> CreateStoreAsync();

    /// <summary>A new token in <paramref name="accountId"/> with a random id and secret hash.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="ownerId">The owner of a user token.</param>
    /// <param name="type">The token type.</param>
    /// <param name="minutes">Minutes after a fixed instant for <see cref="ApiToken.CreatedAt"/>.</param>
    /// <returns>The token (not stored yet).</returns>
    protected static ApiToken NewToken(string accountId, string? ownerId = "alice", TokenType type = TokenType.User, int minutes = 0) => new()
    {
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
        Type = type,
        AccountId = accountId,
        OwnerId = type == TokenType.User ? ownerId : null,
        CreatedBy = ownerId ?? "alice",
        CreatedAt = s_t0.AddMinutes(minutes),
        Description = "ci deploys",
        Privilege = TokenPrivilege.Normal,
        DefaultAppState = AppState.Pending,
        SecretHash = RandomNumberGenerator.GetBytes(32),
        SecretHint = "apt_****abcd",
    };

    /// <summary>A new account id, so tests never see each other's tokens.</summary>
    /// <returns>The id.</returns>
    protected static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..12];

    [TestMethod]
    public async Task CreateAsync_ThenFindById_RoundTripsEveryField()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount()) with
        {
            Apps = [new TokenApp("Terraform v1.9.2", AppState.Deny, s_t0.AddSeconds(5))],
            RetiredAt = s_t0.AddHours(1),
            RetiredBy = "bob",
            PromotedAt = s_t0.AddMinutes(30),
            PromotedBy = "alice",
            FormerOwnerId = "carol",
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
        Assert.HasCount(1, found.Apps);
        Assert.AreEqual(token.Apps[0], found.Apps[0]);
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
        Assert.IsNull(await store.FindActiveBySecretHashAsync(sameId.SecretHash, TestContext.CancellationToken), "the refused token's hash finds nothing");
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
        Assert.AreEqual(token.Id, (await store.FindActiveBySecretHashAsync(token.SecretHash, TestContext.CancellationToken))?.Id, "the hash still finds the first token");
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task UpdateAsync_NeverChangesTheSecretHashOrTheAccount()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        var otherHash = RandomNumberGenerator.GetBytes(32);

        var updated = await store.UpdateAsync(created with { SecretHash = otherHash, AccountId = NewAccount(), Description = "changed" }, cancellationToken: TestContext.CancellationToken);

        var found = await store.FindByIdAsync(created.Id, TestContext.CancellationToken);
        Assert.AreEqual("changed", found!.Description, "the rest of the update applies");
        Assert.AreEqual(created.AccountId, found.AccountId);
        CollectionAssert.AreEqual(created.SecretHash, found.SecretHash);
        CollectionAssert.AreEqual(created.SecretHash, updated.SecretHash);
        Assert.AreEqual(created.AccountId, updated.AccountId);
        Assert.IsNull(await store.FindActiveBySecretHashAsync(otherHash, TestContext.CancellationToken), "the new hash finds nothing");
        Assert.AreEqual(created.Id, (await store.FindActiveBySecretHashAsync(created.SecretHash, TestContext.CancellationToken))?.Id, "the old hash still finds the token");
        Assert.HasCount(1, await store.ListAsync(created.AccountId, null, TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task FindActiveBySecretHashAsync_KnownAndUnknownHash()
    {
        var store = await CreateStoreAsync();
        var token = NewToken(NewAccount());
        await store.CreateAsync(token, TestContext.CancellationToken);

        var found = await store.FindActiveBySecretHashAsync((byte[])token.SecretHash.Clone(), TestContext.CancellationToken);
        var missing = await store.FindActiveBySecretHashAsync(RandomNumberGenerator.GetBytes(32), TestContext.CancellationToken);

        Assert.AreEqual(token.Id, found?.Id);
        Assert.IsNull(missing);
    }

    [TestMethod]
    [TestCategory("R13")]
    public async Task FindActiveBySecretHashAsync_RetiredToken_NotFound_ButStillFoundById()
    {
        var store = await CreateStoreAsync();
        var token = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Allow, s_t0)] }, TestContext.CancellationToken);
        var retired = await store.UpdateAsync(token with { RetiredAt = s_t0, RetiredBy = "alice" }, TestContext.CancellationToken);

        Assert.IsNull(await store.FindActiveBySecretHashAsync(token.SecretHash, TestContext.CancellationToken));
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

        var updated = await store.UpdateAsync(created with { Privilege = TokenPrivilege.ReadOnly, Apps = [new TokenApp("a", AppState.Allow, s_t0)] }, cancellationToken: TestContext.CancellationToken);
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
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "bob") with { RetiredAt = s_t0, RetiredBy = "bob" }, 2, ct), "retired tokens are not active");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "bob"), 2, ct));
        var refused = NewToken(account, "bob");

        Assert.IsNull(await store.TryCreateAsync(refused, 2, ct));

        Assert.IsNull(await store.FindByIdAsync(refused.Id, ct), "a refused token is not stored");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, "carol"), 2, ct), "another owner has a quota of its own");
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(account, null, TokenType.Account), 1, ct), "account tokens count apart from user tokens");
        Assert.IsNull(await store.TryCreateAsync(NewToken(account, null, TokenType.Account), 1, ct));
        Assert.IsNotNull(await store.TryCreateAsync(NewToken(NewAccount(), null, TokenType.Account), 1, ct), "another account has a quota of its own");
        Assert.AreEqual(2, (await store.ListAsync(account, "bob", ct)).Count(t => !t.IsRetired));
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
        Assert.HasCount(limit, await store.ListAsync(account, "bob", TestContext.CancellationToken));
    }

    [TestMethod]
    public async Task ListAsync_FiltersByAccountAndOwner_OldestFirst_RetiredIncluded()
    {
        var store = await CreateStoreAsync();
        var account = NewAccount();
        var newer = await store.CreateAsync(NewToken(account, "bob", minutes: 2), TestContext.CancellationToken);
        var older = await store.CreateAsync(NewToken(account, "bob", minutes: 1) with { RetiredAt = s_t0, RetiredBy = "bob" }, TestContext.CancellationToken);
        var alices = await store.CreateAsync(NewToken(account, "alice", minutes: 3), TestContext.CancellationToken);
        var accountToken = await store.CreateAsync(NewToken(account, null, TokenType.Account, minutes: 4), TestContext.CancellationToken);
        await store.CreateAsync(NewToken(NewAccount(), "bob"), TestContext.CancellationToken);

        var all = await store.ListAsync(account, null, TestContext.CancellationToken);
        var bobs = await store.ListAsync(account, "bob", TestContext.CancellationToken);

        CollectionAssert.AreEqual(new[] { older.Id, newer.Id, alices.Id, accountToken.Id }, all.Select(t => t.Id).ToArray());
        CollectionAssert.AreEqual(new[] { older.Id, newer.Id }, bobs.Select(t => t.Id).ToArray());
    }

    [TestMethod]
    [TestCategory("R8")]
    public async Task RecordAppAsync_NewApp_AddsItAndIncrementsVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Pending, s_t0), 10, TestContext.CancellationToken);

        Assert.IsNotNull(stored);
        Assert.AreEqual(created.Version + 1, stored.Version);
        Assert.AreEqual(new TokenApp("cosi", AppState.Pending, s_t0), stored.FindApp("cosi"));
        Assert.AreEqual(stored.Version, (await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.Version);
    }

    [TestMethod]
    [TestCategory("R9")]
    public async Task RecordAppAsync_RecordedApp_KeepsItsStateAndVersion()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("cosi", AppState.Deny, s_t0)] }, TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Allow, s_t0.AddDays(1)), 10, TestContext.CancellationToken);

        Assert.AreEqual(created.Version, stored!.Version);
        Assert.AreEqual(AppState.Deny, stored.FindApp("cosi")!.State);
        Assert.AreEqual(s_t0, stored.FindApp("cosi")!.FirstSeenAt);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task RecordAppAsync_NamesDifferingInCase_AreDifferentApps()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);

        await store.RecordAppAsync(created.Id, new TokenApp("Cosi", AppState.Allow, s_t0), 10, TestContext.CancellationToken);
        var stored = await store.RecordAppAsync(created.Id, new TokenApp("cosi", AppState.Deny, s_t0), 10, TestContext.CancellationToken);

        Assert.HasCount(2, stored!.Apps);
        Assert.AreEqual(AppState.Allow, stored.FindApp("Cosi")!.State);
        Assert.AreEqual(AppState.Deny, stored.FindApp("cosi")!.State);
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task RecordAppAsync_AtLimit_ChangesNothing()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()) with { Apps = [new TokenApp("a", AppState.Allow, s_t0), new TokenApp("b", AppState.Allow, s_t0)] }, TestContext.CancellationToken);

        var stored = await store.RecordAppAsync(created.Id, new TokenApp("c", AppState.Allow, s_t0), 2, TestContext.CancellationToken);

        Assert.AreEqual(created.Version, stored!.Version);
        Assert.IsNull(stored.FindApp("c"));
        Assert.HasCount(2, (await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    public async Task RecordAppAsync_UnknownToken_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        Assert.IsNull(await store.RecordAppAsync("does-not-exist", new TokenApp("a", AppState.Allow, s_t0), 10, TestContext.CancellationToken));
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
            return await store.RecordAppAsync(created.Id, new TokenApp("race", i % 2 == 0 ? AppState.Allow : AppState.Deny, s_t0.AddSeconds(i)), 10, TestContext.CancellationToken);
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
    [TestCategory("R19")]
    public async Task UpdateAsync_AfterAppRecorded_ConflictsInsteadOfDroppingTheApp()
    {
        var store = await CreateStoreAsync();
        var created = await store.CreateAsync(NewToken(NewAccount()), TestContext.CancellationToken);
        await store.RecordAppAsync(created.Id, new TokenApp("new", AppState.Pending, s_t0), 10, TestContext.CancellationToken);

        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(created with { Description = "stale" }, cancellationToken: TestContext.CancellationToken));

        Assert.IsNotNull((await store.FindByIdAsync(created.Id, TestContext.CancellationToken))!.FindApp("new"));
    }
}
