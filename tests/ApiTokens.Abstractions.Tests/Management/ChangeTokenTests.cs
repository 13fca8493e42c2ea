using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Management;

[TestClass]
public sealed class ChangeTokenTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R6")]
    public async Task Update_ByOwner_ChangesPrivilegeStateAndDescription()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var result = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Normal, DefaultAppState = AppState.Deny, Description = "deploys" }, cancellationToken: TestContext.CancellationToken);

        Assert.IsTrue(result.Succeeded, result.ToString());
        Assert.AreEqual(TokenPrivilege.Normal, result.Value.Token.Privilege);
        Assert.AreEqual(AppState.Deny, result.Value.Token.DefaultAppState);
        Assert.AreEqual("deploys", result.Value.Token.Description);
        Assert.Contains(token.Details.Token.Id, h.Changes.Changed);
    }

    [TestMethod]
    [TestCategory("R6")]
    public async Task Update_ByAdmin_ChangesAnotherMembersUserTokenAndAccountTokens()
    {
        using var h = Harness.Create();
        var bobs = await h.CreateAsync(Harness.Bob);
        var account = await h.CreateAsync(Harness.Alice, TokenType.Account);

        var onUser = await h.Manager.UpdateAsync(Harness.Alice, bobs.Details.Token.Id, new UpdateApiTokenRequest { Description = "by admin" }, cancellationToken: TestContext.CancellationToken);
        var onAccount = await h.Manager.UpdateAsync(Harness.Alice, account.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Admin }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual("by admin", onUser.Value?.Token.Description);
        Assert.AreEqual(TokenPrivilege.Admin, onAccount.Value?.Token.Privilege);
    }

    [TestMethod]
    [TestCategory("R4")]
    [TestCategory("R6")]
    public async Task Update_PrivilegeAboveActorsRole_RefusedAndUnchanged()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var result = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Admin, Description = "sneaky" }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.PrivilegeExceedsRole, result.Error?.Code);
        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        Assert.AreEqual(TokenPrivilege.ReadOnly, stored!.Privilege);
        Assert.IsNull(stored.Description);
    }

    [TestMethod]
    [TestCategory("R4")]
    public async Task Update_OwnerDemotedToReadOnly_CanOnlySetReadOnly()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);
        h.Members.SetRole("acme", "bob", TokenPrivilege.ReadOnly);

        var up = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Normal }, cancellationToken: TestContext.CancellationToken);
        var down = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.ReadOnly }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.PrivilegeExceedsRole, up.Error?.Code);
        Assert.AreEqual(TokenPrivilege.ReadOnly, down.Value?.Token.Privilege);
    }

    [TestMethod]
    public async Task Update_EmptyDescription_ClearsIt_TooLong_Refused()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, description: "old");

        var tooLong = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Description = new string('y', 257) }, cancellationToken: TestContext.CancellationToken);
        var cleared = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Description = string.Empty }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, tooLong.Error?.Code);
        Assert.IsNull(cleared.Value?.Token.Description);
    }

    [TestMethod]
    [TestCategory("R9")]
    public async Task Update_DefaultAppState_LeavesRecordedAppsAlone()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "first", TestContext.CancellationToken);

        await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { DefaultAppState = AppState.Deny }, cancellationToken: TestContext.CancellationToken);

        var first = await h.Validator.ValidateAsync(token.Secret, "first", TestContext.CancellationToken);
        var second = await h.Validator.ValidateAsync(token.Secret, "second", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.Success, first.Status);
        Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, second.Status);
    }

    [TestMethod]
    [TestCategory("R10")]
    public async Task SetAppState_RecordedPendingApp_AllowedThenAuthenticates()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        var before = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);

        var result = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "cosi", AppState.Allow, cancellationToken: TestContext.CancellationToken);

        var after = await h.Validator.ValidateAsync(token.Secret, "cosi", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, before.Status);
        Assert.AreEqual(AppState.Allow, result.Value?.Token.FindApp("cosi")?.State);
        Assert.AreEqual(ApiTokenValidationStatus.Success, after.Status);
    }

    [TestMethod]
    [TestCategory("R10")]
    public async Task SetAppState_UnseenApp_PreApprovalAndPreDenial()
    {
        using var h = Harness.Create(o => o.DefaultAppState = AppState.Pending);
        var token = await h.CreateAsync(Harness.Bob);

        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "Terraform v1.9.2", AppState.Allow, cancellationToken: TestContext.CancellationToken);
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "curl/8.5", AppState.Deny, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "Terraform v1.9.2", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, (await h.Validator.ValidateAsync(token.Secret, "curl/8.5", TestContext.CancellationToken)).Status);
        Assert.AreEqual(h.Time.GetUtcNow(), (await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.FindApp("curl/8.5")!.FirstSeenAt);
    }

    [TestMethod]
    [TestCategory("R10")]
    public async Task SetAppState_PendingOrUndefined_InvalidRequest()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var pending = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "a", AppState.Pending, cancellationToken: TestContext.CancellationToken);
        var undefined = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "a", (AppState)9, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, pending.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, undefined.Error?.Code);
    }

    [TestMethod]
    [TestCategory("R11")]
    [DataRow("")]
    [DataRow("tab\tname")]
    [DataRow("line\nbreak")]
    public async Task SetAppState_InvalidAppName_InvalidAppName(string name)
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var result = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, name, AppState.Allow, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidAppName, result.Error?.Code);
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task SetAppState_NewAppBeyondLimit_TooManyApps()
    {
        using var h = Harness.Create(o => o.MaxAppsPerToken = 1);
        var token = await h.CreateAsync(Harness.Bob);
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "one", AppState.Allow, cancellationToken: TestContext.CancellationToken);

        var second = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "two", AppState.Allow, cancellationToken: TestContext.CancellationToken);
        var existing = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "one", AppState.Deny, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.TooManyApps, second.Error?.Code);
        Assert.IsTrue(existing.Succeeded);
    }
}
