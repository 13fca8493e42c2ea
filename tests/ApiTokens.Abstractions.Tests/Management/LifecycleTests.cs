using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Management;

[TestClass]
public sealed class LifecycleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R13")]
    public async Task Retire_ThenValidate_BadTokenOnTheNextRequest()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);

        var retired = await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(h.Time.GetUtcNow(), retired.Value?.Token.RetiredAt);
        Assert.AreEqual("bob", retired.Value?.Token.RetiredBy);
        Assert.IsNull(retired.Value?.EffectivePrivilege);
        Assert.Contains(token.Details.Token.Id, h.Changes.Changed);
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    [TestCategory("R13")]
    public async Task Retire_Twice_SecondChangesNothing()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        var first = await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);
        h.Time.Advance(TimeSpan.FromHours(1));

        var second = await h.Manager.RetireAsync(Harness.Alice, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        Assert.IsTrue(second.Succeeded);
        Assert.AreEqual(first.Value!.Token.RetiredAt, second.Value.Token.RetiredAt);
        Assert.AreEqual("bob", second.Value.Token.RetiredBy);
        Assert.AreEqual(first.Value.Token.Version, second.Value.Token.Version);
    }

    [TestMethod]
    [TestCategory("R13")]
    public async Task ChangesToRetiredToken_TokenRetiredConflict()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        var id = token.Details.Token.Id;
        await h.Manager.RetireAsync(Harness.Bob, id, cancellationToken: TestContext.CancellationToken);

        var update = await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "x" }, cancellationToken: TestContext.CancellationToken);
        var app = await h.Manager.SetAppStateAsync(Harness.Bob, id, "a", AppState.Allow, cancellationToken: TestContext.CancellationToken);
        var promote = await h.Manager.PromoteAsync(Harness.Alice, id, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.TokenRetired, update.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenRetired, app.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenRetired, promote.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Conflict, update.Error?.Kind);
    }

    [TestMethod]
    [TestCategory("R14")]
    public async Task Promote_ByAdmin_KeepsSecretPrivilegeStateAndApps_ClearsOwner()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal, defaultAppState: AppState.Pending);
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "cosi", AppState.Allow, cancellationToken: TestContext.CancellationToken);
        h.Time.Advance(TimeSpan.FromMinutes(5));

        var promoted = await h.Manager.PromoteAsync(Harness.Alice, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        var t = promoted.Value!.Token;
        Assert.AreEqual(TokenType.Account, t.Type);
        Assert.IsNull(t.OwnerId);
        Assert.AreEqual("bob", t.FormerOwnerId);
        Assert.AreEqual("alice", t.PromotedBy);
        Assert.AreEqual(h.Time.GetUtcNow(), t.PromotedAt);
        Assert.AreEqual(TokenPrivilege.Normal, t.Privilege);
        Assert.AreEqual(AppState.Pending, t.DefaultAppState);
        Assert.AreEqual(AppState.Allow, t.FindApp("cosi")?.State);
        CollectionAssert.AreEqual(token.Details.Token.SecretHash, t.SecretHash);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    [TestCategory("R14")]
    public async Task Promote_ByOwnerWhoIsNotAdmin_PromoteRequiresAdmin()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var result = await h.Manager.PromoteAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.PromoteRequiresAdmin, result.Error?.Code);
        Assert.AreEqual(TokenType.User, (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Type);
    }

    [TestMethod]
    [TestCategory("R14")]
    public async Task Promote_AccountToken_AlreadyAccountToken_NoWayBack()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Manager.PromoteAsync(Harness.Alice, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        var again = await h.Manager.PromoteAsync(Harness.Alice, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.AlreadyAccountToken, again.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Conflict, again.Error?.Kind);
    }

    [TestMethod]
    [TestCategory("R14")]
    [TestCategory("R15")]
    public async Task Promote_ThenOwnerRemoved_PromotedTokenKeepsWorking()
    {
        using var h = Harness.Create();
        var promotedToken = await h.CreateAsync(Harness.Bob);
        var plainToken = await h.CreateAsync(Harness.Bob);
        await h.Manager.PromoteAsync(Harness.Alice, promotedToken.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        h.Members.Remove("acme", "bob");
        var retired = await h.Manager.MemberRemovedAsync("acme", "bob", "alice", TestContext.CancellationToken);

        Assert.AreEqual(1, retired.RetiredTokenIds.Count);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(promotedToken.Secret, "app", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(plainToken.Secret, "app", TestContext.CancellationToken)).Status);
        var stored = await h.Store.FindByIdAsync(plainToken.Details.Token.Id, TestContext.CancellationToken);
        Assert.AreEqual("alice", stored!.RetiredBy);
        Assert.Contains(plainToken.Details.Token.Id, h.Changes.Changed);
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task EffectivePrivilege_IsLowerOfTokenAndOwnersCurrentRole()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Alice, privilege: TokenPrivilege.Admin);
        var account = await h.CreateAsync(Harness.Alice, TokenType.Account, TokenPrivilege.Admin);

        h.Members.SetRole("acme", "alice", TokenPrivilege.Normal);
        await h.Manager.MemberRoleChangedAsync("acme", "alice", cancellationToken: TestContext.CancellationToken);

        var user = await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        var acct = await h.Validator.ValidateAsync(account.Secret, "app", TestContext.CancellationToken);
        Assert.AreEqual(TokenPrivilege.Normal, user.Token?.EffectivePrivilege);
        Assert.AreEqual(TokenPrivilege.Admin, acct.Token?.EffectivePrivilege);
        Assert.Contains(token.Details.Token.Id, h.Changes.Changed);
        Assert.AreEqual(TokenPrivilege.Normal, (await h.Manager.GetAsync(new ApiTokenActor("acme", "alice"), token.Details.Token.Id, TestContext.CancellationToken)).Value?.EffectivePrivilege);
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task OwnerNoLongerMember_UserTokenFailsAuthentication()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        h.Members.Remove("acme", "bob");

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Status);
    }
}
