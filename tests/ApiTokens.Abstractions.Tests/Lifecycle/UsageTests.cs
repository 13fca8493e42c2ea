using System.Net;
using ApiTokens.Management;
using ApiTokens.Stores;
using ApiTokens.Recording;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Lifecycle;

// R35 in the core, with FakeTimeProvider: every request presenting a known token is counted per
// (token, app, UTC day) by outcome, in memory, written by the flush (summed in the store), a failed
// flush retried, days split at UTC midnight, counts past the retention removed.
[TestClass]
[TestCategory("R35")]
public sealed class UsageTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task EachOutcome_IsCounted_PerApp_WithoutAStoreWritePerRequest_AndWrittenByTheFlush()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await CreateAsync(h, AppState.Pending, new ApiTokenRateLimit(6, 3600));
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Id, "ci", AppState.Allow, cancellationToken: Ct);
        await h.Manager.SetAppStateAsync(Harness.Bob, token.Id, "bad", AppState.Deny, cancellationToken: Ct);
        store.Reset();

        for (var i = 0; i < 3; i++)
        {
            await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        }

        await h.Validator.ValidateAsync(token.Secret, "bad", Ct);
        await h.Validator.ValidateAsync(token.Secret, "new-tool", Ct);   // recorded as pending
        await h.Validator.ValidateAsync(token.Secret, "new-tool", Ct);
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);         // the seventh: over the limit
        var writesBeforeFlush = store.Writes;

        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);

        Assert.AreEqual(1, writesBeforeFlush, "only the new app's recording: no store write for counting");
        var usage = await UsageAsync(h, token.Id);
        Assert.AreEqual((3L, 0L, 0L, 1L), Counts(usage, "ci"), "three served; the seventh request of the token (all its apps count) refused");
        Assert.AreEqual((0L, 0L, 1L, 0L), Counts(usage, "bad"));
        Assert.AreEqual((0L, 2L, 0L, 0L), Counts(usage, "new-tool"));
        Assert.AreEqual(new DateOnly(2026, 11, 28), usage[0].Day);
    }

    [TestMethod]
    public async Task UnwrittenCounts_ShowAtOnceOnTheNode_AndAreNotCountedTwiceAfterTheFlush()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, AppState.Allow);
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);

        Assert.AreEqual(2, Counts(await UsageAsync(h, token.Id), "ci").Allowed, "before the flush");
        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);
        Assert.AreEqual(2, Counts(await UsageAsync(h, token.Id), "ci").Allowed, "after it");
    }

    [TestMethod]
    public async Task Days_SplitAtUtcMidnight()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, AppState.Allow);
        h.Time.SetUtcNow(new DateTimeOffset(2026, 11, 28, 23, 59, 50, TimeSpan.Zero));
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        h.Time.Advance(TimeSpan.FromSeconds(20));   // 00:00:10 the next day, no flush between
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);

        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);

        var usage = await UsageAsync(h, token.Id);
        Assert.HasCount(2, usage);
        Assert.AreEqual((new DateOnly(2026, 11, 28), 2L), (usage[0].Day, usage[0].Allowed));
        Assert.AreEqual((new DateOnly(2026, 11, 29), 1L), (usage[1].Day, usage[1].Allowed));
    }

    [TestMethod]
    public async Task AFailedFlush_IsRetried_AndNothingIsLostOrDoubled()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await CreateAsync(h, AppState.Allow);
        var recorder = h.Services.GetRequiredService<UseRecorder>();
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);

        store.FailWrites = true;
        await recorder.FlushAsync(Ct);
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        store.FailWrites = false;
        await recorder.FlushAsync(Ct);

        Assert.AreEqual(2, (await h.Store.ListUsageAsync(token.Id, DateOnly.MinValue, Ct)).Sum(u => u.Allowed));
        Assert.AreEqual(0, recorder.PendingCount);
    }

    [TestMethod]
    public async Task CountsPastTheRetention_AreRemovedByTheFlush()
    {
        using var h = Harness.Create(o => o.UsageRetention = TimeSpan.FromDays(7));
        var token = await CreateAsync(h, AppState.Allow);
        var today = new DateOnly(2026, 11, 28);
        await h.Store.RecordUsageAsync([new(token.Id, "ci", today.AddDays(-7), 1, 0, 0, 0), new(token.Id, "ci", today.AddDays(-6), 2, 0, 0, 0)], Ct);

        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);

        CollectionAssert.AreEqual(new[] { today.AddDays(-6) }, (await h.Store.ListUsageAsync(token.Id, DateOnly.MinValue, Ct)).Select(u => u.Day).ToArray());
    }

    [TestMethod]
    public async Task Reading_IsForThoseWhoMaySeeTheToken_AndDaysAreChecked()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, AppState.Allow);

        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, (await h.Manager.GetUsageAsync(Harness.Carol, token.Id, 30, Ct)).Error?.Code, "R5: another member's user token");
        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, (await h.Manager.GetUsageAsync(Harness.Dave, token.Id, 30, Ct)).Error?.Code);
        Assert.IsTrue((await h.Manager.GetUsageAsync(Harness.Alice, token.Id, 30, Ct)).Succeeded, "an admin sees it");
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, (await h.Manager.GetUsageAsync(Harness.Bob, token.Id, 0, Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, (await h.Manager.GetUsageAsync(Harness.Bob, token.Id, 91, Ct)).Error?.Code);
    }

    [TestMethod]
    public async Task AHitCountedWithNetworksAndALimit_AllocatesNothing()
    {
        using var h = Harness.Create();
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, DefaultAppState = AppState.Allow, AllowedNetworks = ["10.0.0.0/8"], RateLimit = new ApiTokenRateLimit(ApiTokenRateLimit.MaxLimit, 3600) }, Ct);
        var secret = created.Value!.Secret;
        var address = IPAddress.Parse("10.1.2.3");
        for (var i = 0; i < 100; i++)
        {
            await h.Validator.ValidateAsync(secret, "ci", null, address, Ct);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            await h.Validator.ValidateAsync(secret, "ci", null, address, Ct);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (long Allowed, long Pending, long Denied, long Limited) Counts(IReadOnlyList<ApiTokenUsageCount> usage, string app)
    {
        var rows = usage.Where(u => u.AppName == app).ToArray();
        return (rows.Sum(u => u.Allowed), rows.Sum(u => u.Pending), rows.Sum(u => u.Denied), rows.Sum(u => u.Limited));
    }

    private async Task<IReadOnlyList<ApiTokenUsageCount>> UsageAsync(Harness h, string tokenId)
    {
        var result = await h.Manager.GetUsageAsync(Harness.Bob, tokenId, 30, Ct);
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value!;
    }

    private async Task<(string Id, string Secret)> CreateAsync(Harness h, AppState defaultState, ApiTokenRateLimit? limit = null)
    {
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, DefaultAppState = defaultState, RateLimit = limit }, Ct);
        Assert.IsTrue(created.Succeeded, created.ToString());
        return (created.Value!.Details.Token.Id, created.Value.Secret);
    }
}
