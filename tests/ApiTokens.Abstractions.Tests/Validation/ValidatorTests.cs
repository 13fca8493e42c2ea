using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

[TestClass]
public sealed class ValidatorTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R1")]
    public async Task Validate_UserAndAccountTokens_AuthenticateIdentically()
    {
        using var h = Harness.Create();
        var user = await h.CreateAsync(Harness.Alice, privilege: TokenPrivilege.Normal);
        var account = await h.CreateAsync(Harness.Alice, TokenType.Account, TokenPrivilege.Normal);

        var u = await h.Validator.ValidateAsync(user.Secret, "app", TestContext.CancellationToken);
        var a = await h.Validator.ValidateAsync(account.Secret, "app", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.Success, u.Status);
        Assert.AreEqual(ApiTokenValidationStatus.Success, a.Status);
        Assert.AreEqual("alice", u.Token!.OwnerId);
        Assert.IsNull(a.Token!.OwnerId);
        Assert.AreEqual(TokenType.Account, a.Token.Type);
        Assert.AreEqual("acme", a.Token.AccountId);
        Assert.AreEqual("app", a.Token.AppName);
    }

    [TestMethod]
    [TestCategory("R8")]
    [DataRow(AppState.Allow, ApiTokenValidationStatus.Success)]
    [DataRow(AppState.Pending, ApiTokenValidationStatus.PendingApp)]
    [DataRow(AppState.Deny, ApiTokenValidationStatus.DeniedApp)]
    public async Task Validate_NewApp_RecordedWithDefaultStateAndJudgedByIt(AppState defaultState, ApiTokenValidationStatus expected)
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: defaultState);

        var result = await h.Validator.ValidateAsync(token.Secret, "python-circonusapi", TestContext.CancellationToken);

        Assert.AreEqual(expected, result.Status);
        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        Assert.AreEqual(defaultState, stored!.FindApp("python-circonusapi")?.State);
        Assert.AreEqual(h.Time.GetUtcNow(), stored.FindApp("python-circonusapi")?.FirstSeenAt);
        Assert.Contains(token.Details.Token.Id, h.Changes.Changed);
    }

    [TestMethod]
    [TestCategory("R8")]
    public async Task Validate_RecordedApp_NoStoreWrite()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        var version = (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Version;

        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);

        Assert.AreEqual(version, (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Version);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task Validate_AppNamesCompareOrdinally()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "Terraform", AppState.Allow, cancellationToken: TestContext.CancellationToken);

        var exact = await h.Validator.ValidateAsync(token.Secret, "Terraform", TestContext.CancellationToken);
        var otherCase = await h.Validator.ValidateAsync(token.Secret, "terraform", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.Success, exact.Status);
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, otherCase.Status);
    }

    [TestMethod]
    [TestCategory("R11")]
    [DataRow("Terraform v1.9.2")]
    [DataRow("cosi-install (linux; amd64)")]
    [DataRow("a")]
    [DataRow("appé/ü 名前")]
    public void IsValidAppName_SpacesPunctuationAndUnicode_Valid(string name)
        => Assert.IsTrue(ApiTokenValidator.IsValidAppName(name));

    [TestMethod]
    [TestCategory("R11")]
    public async Task Validate_InvalidAppName_BadAppWithoutTouchingTheStore()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();

        foreach (var name in new string?[] { null, string.Empty, new('x', 257), "bell\a", "new\nline", "del\u007f" })
        {
            var result = await h.Validator.ValidateAsync(token.Secret, name, TestContext.CancellationToken);
            Assert.AreEqual(ApiTokenValidationStatus.BadApp, result.Status, name);
        }

        Assert.AreEqual(0, store.Calls);
        Assert.IsTrue(ApiTokenValidator.IsValidAppName(new string('x', 256)));
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task Validate_NewAppBeyondLimit_TooManyAppsWithoutStoreWrite()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.MaxAppsPerToken = 2, s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "one", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "two", TestContext.CancellationToken);
        store.Reset();

        var third = await h.Validator.ValidateAsync(token.Secret, "three", TestContext.CancellationToken);
        var known = await h.Validator.ValidateAsync(token.Secret, "two", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.TooManyApps, third.Status);
        Assert.AreEqual(ApiTokenValidationStatus.Success, known.Status);
        Assert.AreEqual(0, store.Writes);
        Assert.HasCount(2, (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task Validate_MalformedOrMistypedSecret_BadTokenWithoutStoreIo()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();
        var typo = token.Secret[..10] + (token.Secret[10] == 'a' ? 'b' : 'a') + token.Secret[11..];

        // With this service's prefix the shape and checksum decide; without it, only what no
        // secret can be (R36: under 16 or over 256 characters, spaces, non-ASCII).
        foreach (var secret in new string?[] { null, string.Empty, "apt_short", typo, token.Secret + "x", "apt_" + new string('a', 60), "short-key", "with spaces in the key", "ключ-ключ-ключ-ключ", new string('k', 257) })
        {
            var result = await h.Validator.ValidateAsync(secret, "app", TestContext.CancellationToken);
            Assert.AreEqual(ApiTokenValidationStatus.BadToken, result.Status);
        }

        Assert.AreEqual(0, store.Calls);
    }

    [TestMethod]
    [TestCategory("R36")]
    public async Task Validate_NoAppName_AGarbageSecretIsBadToken_AnImportedCachedOneIsBadApp()
    {
        using var h = Harness.Create();
        const string imported = "legacy-key-0123456789abcdef";
        Assert.IsTrue((await h.Manager.ImportAsync(Harness.Alice, new() { Secret = imported, Type = TokenType.Account, DefaultAppState = AppState.Allow }, TestContext.CancellationToken)).Succeeded);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync("some-random-garbage-value", null, TestContext.CancellationToken)).Status, "a bad token outranks a bad app name");
        Assert.AreEqual(ApiTokenValidationStatus.BadApp, (await h.Validator.ValidateAsync(Guid.NewGuid().ToString(), null, TestContext.CancellationToken)).Status, "a UUID has a secret's shape");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(imported, "ci", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.BadApp, (await h.Validator.ValidateAsync(imported, null, TestContext.CancellationToken)).Status, "cached: known to be a token");
    }

    [TestMethod]
    [TestCategory("R36")]
    public async Task Validate_UnknownSecretOfAnotherShape_IsLookedUp_BadToken()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();

        foreach (var secret in new[] { "xyz" + token.Secret[3..], Guid.NewGuid().ToString() })
        {
            Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(secret, "app", TestContext.CancellationToken)).Status);
        }

        Assert.AreEqual(2, store.Calls, "an imported secret may have any such shape, so the store is asked");
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task Validate_WellFormedUnknownSecret_BadToken()
    {
        using var h = Harness.Create();
        var other = Harness.Create();
        var foreign = await other.CreateAsync(Harness.Bob);
        other.Dispose();

        var result = await h.Validator.ValidateAsync(foreign.Secret, "app", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, result.Status);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task Validate_StoreThrows_StoreUnavailableNeverSuccessOrBadToken()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.FailReads = true;

        var result = await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.StoreUnavailable, result.Status);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task Validate_StoreFailsWhileRecordingApp_StoreUnavailable()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.FailWrites = true;

        var result = await h.Validator.ValidateAsync(token.Secret, "new-app", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.StoreUnavailable, result.Status);
    }

    [TestMethod]
    public void Fail_Success_Throws()
        => Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ApiTokenValidationResult.Fail(ApiTokenValidationStatus.Success));
}
