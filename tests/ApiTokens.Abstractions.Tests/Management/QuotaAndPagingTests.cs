using ApiTokens.Management;

namespace ApiTokens.Tests.Management;

// R28: quotas on active tokens, and lists a page at a time.
[TestClass]
[TestCategory("R28")]
public sealed class QuotaAndPagingTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Create_BeyondTheMembersQuota_TooManyTokens_UntilOneIsRetired()
    {
        using var h = Harness.Create(o => o.MaxActiveTokensPerUser = 3);
        var first = await h.CreateAsync(Harness.Bob);
        await h.CreateAsync(Harness.Bob);
        await h.CreateAsync(Harness.Bob);

        var refused = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User }, Ct);

        Assert.AreEqual(ApiTokenErrorCodes.TooManyTokens, refused.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Conflict, refused.Error?.Kind);
        StringAssert.Contains(refused.Error!.Description, "3");
        Assert.IsTrue((await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { Type = TokenType.User }, Ct)).Succeeded, "another member's quota");
        Assert.IsTrue((await h.Manager.RetireAsync(Harness.Bob, first.Details.Token.Id, cancellationToken: Ct)).Succeeded);
        Assert.IsTrue((await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User }, Ct)).Succeeded, "a retired token frees its place");
    }

    [TestMethod]
    public async Task CreateAndPromote_BeyondTheAccountQuota_TooManyTokens()
    {
        using var h = Harness.Create(o => o.MaxActiveAccountTokens = 2);
        await h.CreateAsync(Harness.Alice, TokenType.Account);
        await h.CreateAsync(Harness.Alice, TokenType.Account);
        var user = await h.CreateAsync(Harness.Alice);

        var created = await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { Type = TokenType.Account }, Ct);
        var promoted = await h.Manager.PromoteAsync(Harness.Alice, user.Details.Token.Id, cancellationToken: Ct);

        Assert.AreEqual(ApiTokenErrorCodes.TooManyTokens, created.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TooManyTokens, promoted.Error?.Code);
        Assert.AreEqual(TokenType.User, (await h.Store.FindByIdAsync(user.Details.Token.Id, Ct))!.Type, "nothing changed");
    }

    [TestMethod]
    public async Task List_PagesThroughEveryTokenOnce_NewestFirst_EvenWhenTokensAreAddedBetweenPages()
    {
        using var h = Harness.Create();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await h.CreateAsync(Harness.Bob)).Details.Token.Id);
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await h.Manager.ListAsync(Harness.Bob, cursor, limit: 3, Ct)).Value!;
            seen.AddRange(page.Items.Select(t => t.Token.Id));
            cursor = page.NextCursor;
            if (pages++ == 0)
            {
                ids.Add((await h.CreateAsync(Harness.Bob)).Details.Token.Id);
            }
        }
        while (cursor is not null);

        // The token added after the first page is newer than every token listed: it belongs before
        // them, so the pages that follow neither show it nor shift (a fresh listing shows it first).
        CollectionAssert.AreEqual(ids.Take(7).Reverse().ToArray(), seen);
        Assert.AreEqual(3, pages);
        Assert.AreEqual(ids[7], (await h.Manager.ListAsync(Harness.Bob, null, limit: 1, Ct)).Value!.Items[0].Token.Id);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(1001)]
    [DataRow(-5)]
    public async Task List_LimitOutOfRange_Invalid(int limit)
    {
        using var h = Harness.Create();

        var result = await h.Manager.ListAsync(Harness.Bob, limit: limit, cancellationToken: Ct);

        Assert.AreEqual(ApiTokenErrorKind.Invalid, result.Error?.Kind);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not a cursor")]
    [DataRow("MS4xLg")]
    [DataRow("My4xLmFiYw")]
    [DataRow("MS54LmFiYw")]
    public async Task List_CursorNotGivenOut_InvalidWithoutStoreIo(string cursor)
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));

        var result = await h.Manager.ListAsync(Harness.Bob, cursor, cancellationToken: Ct);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, result.Error?.Code);
        Assert.AreEqual(0, store.Calls);
    }

    [TestMethod]
    public async Task Change_WithAnExpectedVersionThatMoved_PreconditionFailed_AndNothingChanges()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        var id = token.Details.Token.Id;
        var read = token.Details.Token.Version;
        Assert.IsTrue((await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "newer" }, read, Ct)).Succeeded);

        var stale = new[]
        {
            await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "older" }, read, Ct),
            await h.Manager.SetAppStateAsync(Harness.Bob, id, "app", AppState.Deny, read, Ct),
            await h.Manager.RetireAsync(Harness.Bob, id, read, Ct),
        };

        Assert.IsTrue(stale.All(r => r.Error?.Kind == ApiTokenErrorKind.PreconditionFailed && r.Error.Code == ApiTokenErrorCodes.ConcurrencyConflict));
        var stored = (await h.Store.FindByIdAsync(id, Ct))!;
        Assert.AreEqual("newer", stored.Description);
        Assert.IsFalse(stored.IsRetired);
        Assert.IsEmpty(stored.Apps);
        Assert.IsTrue((await h.Manager.RetireAsync(Harness.Bob, id, stored.Version, Ct)).Succeeded, "the current version matches");
    }
}
