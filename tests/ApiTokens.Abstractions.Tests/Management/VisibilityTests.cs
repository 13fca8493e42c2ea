using ApiTokens.Management;

namespace ApiTokens.Tests.Management;

[TestClass]
[TestCategory("R5")]
public sealed class VisibilityTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task List_Admin_SeesEveryTokenOfTheAccountOnly()
    {
        using var h = Harness.Create();
        var bobs = await h.CreateAsync(Harness.Bob);
        var account = await h.CreateAsync(Harness.Alice, TokenType.Account);
        var erins = await h.CreateAsync(Harness.Erin);
        await h.CreateAsync(Harness.Dave);

        var list = await h.Manager.ListAsync(Harness.Alice, cancellationToken: TestContext.CancellationToken);

        CollectionAssert.AreEquivalent(new[] { bobs.Details.Token.Id, account.Details.Token.Id, erins.Details.Token.Id }, list.Value!.Items.Select(d => d.Token.Id).ToArray());
    }

    [TestMethod]
    public async Task List_NormalMember_SeesOnlyOwnUserTokens()
    {
        using var h = Harness.Create();
        var bobs = await h.CreateAsync(Harness.Bob);
        await h.CreateAsync(Harness.Alice, TokenType.Account);
        await h.CreateAsync(Harness.Alice);
        await h.CreateAsync(Harness.Erin);

        var list = await h.Manager.ListAsync(Harness.Bob, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(bobs.Details.Token.Id, list.Value!.Items.Single().Token.Id);
    }

    [TestMethod]
    public async Task List_IncludesRetiredTokens()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: TestContext.CancellationToken);

        var list = await h.Manager.ListAsync(Harness.Bob, cancellationToken: TestContext.CancellationToken);

        Assert.IsTrue(list.Value!.Items.Single().Token.IsRetired);
    }

    [TestMethod]
    public async Task Get_OtherMembersToken_NotFoundNotForbidden()
    {
        using var h = Harness.Create();
        var erins = await h.CreateAsync(Harness.Erin);
        var account = await h.CreateAsync(Harness.Alice, TokenType.Account);

        foreach (var id in new[] { erins.Details.Token.Id, account.Details.Token.Id })
        {
            var get = await h.Manager.GetAsync(Harness.Bob, id, TestContext.CancellationToken);
            var patch = await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "x" }, cancellationToken: TestContext.CancellationToken);
            var retire = await h.Manager.RetireAsync(Harness.Bob, id, cancellationToken: TestContext.CancellationToken);
            var promote = await h.Manager.PromoteAsync(Harness.Bob, id, cancellationToken: TestContext.CancellationToken);
            var app = await h.Manager.SetAppStateAsync(Harness.Bob, id, "a", AppState.Allow, cancellationToken: TestContext.CancellationToken);

            foreach (var result in new[] { get, patch, retire, promote, app })
            {
                Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, result.Error?.Code);
                Assert.AreEqual(ApiTokenErrorKind.NotFound, result.Error?.Kind);
            }
        }

        Assert.IsFalse((await h.Store.FindByIdAsync(erins.Details.Token.Id, TestContext.CancellationToken))!.IsRetired);
    }

    [TestMethod]
    public async Task Get_TokenOfAnotherAccount_NotFoundEvenForAdmin()
    {
        using var h = Harness.Create();
        var daves = await h.CreateAsync(Harness.Dave, TokenType.Account);

        var result = await h.Manager.GetAsync(Harness.Alice, daves.Details.Token.Id, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, result.Error?.Code);
    }

    [TestMethod]
    public async Task Get_UnknownId_SameAnswerAsInvisibleToken()
    {
        using var h = Harness.Create();
        var erins = await h.CreateAsync(Harness.Erin);

        var unknown = await h.Manager.GetAsync(Harness.Bob, "0123456789abcdef01234567", TestContext.CancellationToken);
        var invisible = await h.Manager.GetAsync(Harness.Bob, erins.Details.Token.Id, TestContext.CancellationToken);

        Assert.AreSame(unknown.Error, invisible.Error);
    }
}
