using ApiTokens.Recording;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Tests.Lifecycle;

[TestClass]
public sealed class LastUseTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R22")]
    public async Task Uses_AreCollectedWithoutStoreWrites_OneSlotPerTokenAndApp_AndFlushedInOneBatch()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var a = await h.CreateAsync(Harness.Bob);
        var b = await h.CreateAsync(Harness.Bob);
        for (var warm = 0; warm < 2; warm++)
        {
            // The first round records the apps (first uses change the token); the second caches it.
            await h.Validator.ValidateAsync(a.Secret, "ci", Ct);
            await h.Validator.ValidateAsync(a.Secret, "cli", Ct);
            await h.Validator.ValidateAsync(b.Secret, "ci", Ct);
        }

        var recorder = h.Services.GetRequiredService<UseRecorder>();
        await recorder.FlushAsync(Ct);
        store.Reset();
        var usedAt = h.Time.GetUtcNow().AddSeconds(10);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        for (var i = 0; i < 1_000; i++)
        {
            await h.Validator.ValidateAsync(a.Secret, "ci", Ct);
            await h.Validator.ValidateAsync(a.Secret, "cli", Ct);
            await h.Validator.ValidateAsync(b.Secret, "ci", Ct);
        }

        Assert.AreEqual(0, store.Calls, "no store call on the request path");
        Assert.AreEqual(0, store.UseBatches);
        Assert.AreEqual(3, recorder.PendingCount, "one slot per (token, app), however many requests");

        await recorder.FlushAsync(Ct);

        Assert.AreEqual(1, store.UseBatches, "one batch");
        var stored = await h.Store.FindByIdAsync(a.Details.Token.Id, Ct);
        Assert.AreEqual(usedAt, stored!.LastUsedAt);
        Assert.AreEqual(usedAt, stored.FindApp("ci")!.LastUsedAt);
        Assert.AreEqual(usedAt, stored.FindApp("cli")!.LastUsedAt);
        Assert.AreEqual(usedAt, (await h.Store.FindByIdAsync(b.Details.Token.Id, Ct))!.FindApp("ci")!.LastUsedAt);
        Assert.AreEqual(0, recorder.PendingCount);
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task RefusedRequests_AreNotUses()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);

        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);

        var stored = (await h.Store.FindByIdAsync(token.Details.Token.Id, Ct))!;
        Assert.IsNull(stored.LastUsedAt, "a refused request is counted (R35), never a use");
        Assert.IsNull(stored.FindApp("ci")!.LastUsedAt);
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task FailingFlush_IsLoggedAndRetried_NeverFailsARequest()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        var recorder = h.Services.GetRequiredService<UseRecorder>();
        store.FailUseWrites = true;
        await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        var usedAt = h.Time.GetUtcNow();

        await recorder.FlushAsync(Ct);
        Assert.IsTrue(h.Logs.GetSnapshot().Any(r => r.Id.Id == 12 && r.Level == LogLevel.Warning), "logged");
        Assert.AreEqual(1, recorder.PendingCount, "kept for the next flush");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);

        store.FailUseWrites = false;
        await recorder.FlushAsync(Ct);

        Assert.AreEqual(usedAt, (await h.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.LastUsedAt);
        Assert.AreEqual(0, recorder.PendingCount);
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task HostedFlusher_WritesOncePerGranularity_AndOnShutdown()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.LastUsedGranularity = TimeSpan.FromSeconds(5), wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        var flusher = h.Services.GetServices<IHostedService>().OfType<UseFlusher>().Single();
        await flusher.StartAsync(Ct);
        try
        {
            for (var round = 1; round <= 3; round++)
            {
                for (var i = 0; i < 100; i++)
                {
                    await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
                }

                Assert.AreEqual(round - 1, store.UseBatches, "nothing written before the interval ends");
                h.Time.Advance(TimeSpan.FromSeconds(5));
                await WaitForAsync(() => store.UseBatches == round);
            }

            h.Time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
            Assert.AreEqual(3, store.UseBatches, "an interval without uses writes nothing");

            await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
        }
        finally
        {
            await flusher.StopAsync(Ct);
        }

        Assert.AreEqual(4, store.UseBatches, "the last uses are written when the host stops");
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task PreviousSecretUsed_DuringGrace_IsLoggedOncePerFlush_WithoutTheSecret()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        var rotated = await h.Manager.RotateAsync(Harness.Bob, token.Details.Token.Id, new ApiTokens.Management.RotateApiTokenRequest(), cancellationToken: Ct);
        for (var i = 0; i < 50; i++)
        {
            await h.Validator.ValidateAsync(token.Secret, "old-cron", Ct);
            await h.Validator.ValidateAsync(rotated.Value!.Secret, "new-cron", Ct);
        }

        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);

        var logs = h.Logs.GetSnapshot().Where(r => r.Id.Id == 13).ToList();
        Assert.HasCount(1, logs);
        StringAssert.Contains(logs[0].Message, "old-cron");
        Assert.DoesNotContain(token.Secret, string.Join("\n", h.Logs.GetSnapshot().Select(r => r.Message)));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // The flush runs on the thread pool after the fake clock fires; wait for it, not for time.
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.IsTrue(condition());
    }
}
