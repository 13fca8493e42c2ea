using ApiTokens.Management;

namespace ApiTokens.Tests.Management;

[TestClass]
public sealed class CreateTokenTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R1")]
    [TestCategory("R2")]
    public async Task Create_UserTokenByNormalMember_OwnedByCreator()
    {
        using var h = Harness.Create();

        var created = await h.CreateAsync(Harness.Bob);

        var token = created.Details.Token;
        Assert.AreEqual(TokenType.User, token.Type);
        Assert.AreEqual("bob", token.OwnerId);
        Assert.AreEqual("bob", token.CreatedBy);
        Assert.AreEqual("acme", token.AccountId);
        Assert.AreEqual(h.Time.GetUtcNow(), token.CreatedAt);
    }

    [TestMethod]
    [TestCategory("R2")]
    public async Task Create_ByReadOnlyMember_RefusedAndNothingStored()
    {
        using var h = Harness.Create();

        var result = await h.Manager.CreateAsync(Harness.Carol, new CreateApiTokenRequest { Type = TokenType.User }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.ReadOnlyCannotCreate, result.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Forbidden, result.Error?.Kind);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    [TestCategory("R3")]
    public async Task Create_AccountTokenByAdmin_HasNoOwnerAndRecordsCreator()
    {
        using var h = Harness.Create();

        var created = await h.CreateAsync(Harness.Alice, TokenType.Account);

        Assert.AreEqual(TokenType.Account, created.Details.Token.Type);
        Assert.IsNull(created.Details.Token.OwnerId);
        Assert.AreEqual("alice", created.Details.Token.CreatedBy);
    }

    [TestMethod]
    [TestCategory("R3")]
    [DataRow("bob")]
    [DataRow("carol")]
    public async Task Create_AccountTokenByNonAdmin_Refused(string user)
    {
        using var h = Harness.Create();

        var result = await h.Manager.CreateAsync(new ApiTokenActor("acme", user), new CreateApiTokenRequest { Type = TokenType.Account }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.AccountTokenRequiresAdmin, result.Error?.Code);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    [TestCategory("R4")]
    public async Task Create_WithoutPrivilege_IsReadOnly()
    {
        using var h = Harness.Create();

        var created = await h.CreateAsync(Harness.Alice);

        Assert.AreEqual(TokenPrivilege.ReadOnly, created.Details.Token.Privilege);
    }

    [TestMethod]
    [TestCategory("R4")]
    public async Task Create_PrivilegeAboveRole_RefusedAndNothingStored()
    {
        using var h = Harness.Create();

        var result = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, Privilege = TokenPrivilege.Admin }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.PrivilegeExceedsRole, result.Error?.Code);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    [TestCategory("R4")]
    public async Task Create_PrivilegeEqualToRole_Allowed()
    {
        using var h = Harness.Create();

        var created = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);

        Assert.AreEqual(TokenPrivilege.Normal, created.Details.Token.Privilege);
        Assert.AreEqual(TokenPrivilege.Normal, created.Details.EffectivePrivilege);
    }

    [TestMethod]
    [TestCategory("R7")]
    public async Task Create_DefaultAppState_IsAllowUnlessConfiguredOrGiven()
    {
        using var plain = Harness.Create();
        using var configured = Harness.Create(o => o.DefaultAppState = AppState.Pending);

        Assert.AreEqual(AppState.Allow, (await plain.CreateAsync(Harness.Bob)).Details.Token.DefaultAppState);
        Assert.AreEqual(AppState.Pending, (await configured.CreateAsync(Harness.Bob)).Details.Token.DefaultAppState);
        Assert.AreEqual(AppState.Deny, (await configured.CreateAsync(Harness.Bob, defaultAppState: AppState.Deny)).Details.Token.DefaultAppState);
    }

    [TestMethod]
    public async Task Create_DescriptionOver256Characters_InvalidRequest()
    {
        using var h = Harness.Create();

        var ok = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Description = new string('x', 256) }, TestContext.CancellationToken);
        var tooLong = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Description = new string('x', 257) }, TestContext.CancellationToken);

        Assert.IsTrue(ok.Succeeded);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, tooLong.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Invalid, tooLong.Error?.Kind);
        Assert.AreEqual(1, h.Store.Count);
    }

    [TestMethod]
    public async Task Create_UndefinedEnumValues_InvalidRequest()
    {
        using var h = Harness.Create();

        var badType = await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { Type = (TokenType)7 }, TestContext.CancellationToken);
        var badPrivilege = await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { Privilege = (TokenPrivilege)7 }, TestContext.CancellationToken);
        var badState = await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { DefaultAppState = (AppState)7 }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, badType.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, badPrivilege.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, badState.Error?.Code);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    public async Task Create_ByNonMember_NotAMember()
    {
        using var h = Harness.Create();

        var result = await h.Manager.CreateAsync(new ApiTokenActor("acme", "mallory"), new CreateApiTokenRequest(), TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.NotAMember, result.Error?.Code);
    }
}
