using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Recording;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Lifecycle;

// R38: the sweep's warnings, once each, on FakeTimeProvider time; what was raised is stored on the
// token, so another sweep — a restart, another node — raises nothing again.
[TestClass]
public sealed class LifecycleSweepTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R38")]
    public async Task Expiring_IsRaisedOncePerThreshold_ThenExpiredOnce()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, lifetimeDays: 40);

        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct), "40 days left: no threshold yet");
        h.Time.Advance(TimeSpan.FromDays(11));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct));
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct), "once per threshold");
        h.Time.Advance(TimeSpan.FromDays(23));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct), "6 days left: the 7-day warning");
        h.Time.Advance(TimeSpan.FromDays(5.5));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct), "12 hours left: the 1-day warning");
        h.Time.Advance(TimeSpan.FromDays(1));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct), "expired");
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct));

        var records = await RecordsAsync(h, token.Details.Token.Id);
        CollectionAssert.AreEqual(
            new[] { "29", "6", "1" },
            records.Where(r => r.Action == ApiTokenAuditActions.Expiring).Select(r => r.Changes.Single(c => c.Field == "daysLeft").New).ToArray());
        Assert.AreEqual(1, records.Count(r => r.Action == ApiTokenAuditActions.Expired));
        Assert.IsTrue(records.All(r => r.Action is not (ApiTokenAuditActions.Expiring or ApiTokenAuditActions.Expired) || r.Actor == ApiTokenAuditActors.Lifecycle));
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task InsideSeveralUnraisedThresholds_OneEventForTheNearest()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, lifetimeDays: 40);
        h.Time.Advance(TimeSpan.FromDays(39.5));

        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct));
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct));

        var expiring = (await RecordsAsync(h, token.Details.Token.Id)).Single(r => r.Action == ApiTokenAuditActions.Expiring);
        Assert.AreEqual("1", expiring.Changes.Single(c => c.Field == "daysLeft").New);
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task RotatingToANewExpiry_ArmsTheWarningsAgain()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, lifetimeDays: 40);
        h.Time.Advance(TimeSpan.FromDays(35));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct));

        var rotated = await h.Manager.RotateAsync(Harness.Bob, token.Details.Token.Id, new RotateApiTokenRequest { ExpiresAt = h.Time.GetUtcNow().AddDays(3) }, cancellationToken: Ct);
        Assert.IsTrue(rotated.Succeeded, rotated.ToString());

        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct), "the new expiry's 7-day warning");
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task Unused_IsRaisedOncePerIdlePeriod_AndAUseStartsANewOne()
    {
        using var h = Harness.Create(o => o.UnusedWarningAfter = TimeSpan.FromDays(10));
        var token = await CreateAsync(h);
        h.Time.Advance(TimeSpan.FromDays(11));

        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct));
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct), "once per idle period");

        Assert.AreEqual(ApiTokens.Validation.ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);
        h.Time.Advance(TimeSpan.FromDays(5));
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct), "used 5 days ago");
        h.Time.Advance(TimeSpan.FromDays(6));
        Assert.AreEqual(1, await h.Manager.SweepLifecycleAsync(Ct), "a new idle period");

        var unused = (await RecordsAsync(h, token.Details.Token.Id)).Where(r => r.Action == ApiTokenAuditActions.Unused).ToList();
        Assert.HasCount(2, unused);
        Assert.IsNull(unused[0].Changes.Single(c => c.Field == "lastUsedAt").New, "never used, the first time");
        Assert.AreEqual("11", unused[0].Changes.Single(c => c.Field == "idleDays").New);
        Assert.IsNotNull(unused[1].Changes.Single(c => c.Field == "lastUsedAt").New);
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task RetireUnusedAfter_RetiresIdleTokens_AsPolicyUnused()
    {
        using var h = Harness.Create(o => o.RetireUnusedAfter = TimeSpan.FromDays(20));
        var idle = await CreateAsync(h);
        var busy = await CreateAsync(h);
        h.Time.Advance(TimeSpan.FromDays(15));
        await h.Validator.ValidateAsync(busy.Secret, "ci", Ct);
        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);
        h.Time.Advance(TimeSpan.FromDays(6));

        await h.Manager.SweepLifecycleAsync(Ct);

        var retired = await h.Store.FindByIdAsync(idle.Details.Token.Id, Ct);
        Assert.IsTrue(retired!.IsRetired);
        Assert.AreEqual(ApiTokenAuditActors.UnusedPolicy, retired.RetiredBy);
        Assert.IsTrue((await RecordsAsync(h, idle.Details.Token.Id)).Any(r => r.Action == ApiTokenAuditActions.Retired && r.Actor == ApiTokenAuditActors.UnusedPolicy));
        Assert.IsFalse((await h.Store.FindByIdAsync(busy.Details.Token.Id, Ct))!.IsRetired, "used 6 days ago");
        Assert.AreEqual(ApiTokens.Validation.ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(idle.Secret, "ci", Ct)).Status);
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task TwoNodesSweepingTogether_RaiseEachEventOnce()
    {
        using var h = Harness.Create();
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync(h, lifetimeDays: 10);
        }

        h.Time.Advance(TimeSpan.FromDays(4));
        using var other = h.Services.CreateScope();
        var second = other.ServiceProvider.GetRequiredService<ApiTokenManager>();

        var raised = await Task.WhenAll(Task.Run(() => h.Manager.SweepLifecycleAsync(Ct), Ct), Task.Run(() => second.SweepLifecycleAsync(Ct), Ct));

        Assert.AreEqual(20, raised.Sum(), "each token's warning raised by one of them");
        Assert.AreEqual(0, await h.Manager.SweepLifecycleAsync(Ct));
    }

    [TestMethod]
    [TestCategory("R38")]
    public async Task RetiredAndFarFromExpiryTokens_AreNotCandidates()
    {
        using var h = Harness.Create();
        var retired = await CreateAsync(h, lifetimeDays: 10);
        await CreateAsync(h, lifetimeDays: 400);
        await h.Manager.RetireAsync(Harness.Bob, retired.Details.Token.Id, cancellationToken: Ct);
        h.Time.Advance(TimeSpan.FromDays(5));
        var now = h.Time.GetUtcNow();

        var candidates = await h.Store.FindLifecycleCandidatesAsync(new ApiTokens.Stores.ApiTokenLifecycleQuery(now, now.AddDays(30), now.AddDays(-90), null), null, 100, Ct);

        Assert.IsEmpty(candidates);
    }

    private static async Task<CreatedApiToken> CreateAsync(Harness h, int? lifetimeDays = null)
    {
        var result = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, LifetimeDays = lifetimeDays });
        Assert.IsTrue(result.Succeeded, result.ToString());
        return result.Value;
    }

    private async Task<IReadOnlyList<ApiTokenAuditRecord>> RecordsAsync(Harness h, string tokenId)
        => [.. (await h.Store.ListAuditAsync("acme", tokenId, null, 100, Ct)).Records.Reverse()];
}
