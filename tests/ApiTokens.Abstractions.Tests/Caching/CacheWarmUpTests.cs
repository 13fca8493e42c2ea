using ApiTokens.Caching;
using ApiTokens.Recording;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Caching;

// A restarted node reads its recently used tokens ahead of its first requests: their first request is
// served without store I/O; a token changed before its first request is read again (R18); the
// readiness flag says when the read is done.
[TestClass]
public sealed class CacheWarmUpTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task ARecentlyUsedToken_IsServedFromTheWarmUp_WithoutAStoreRead()
    {
        using var h = Harness.Create();
        var token = await UsedTokenAsync(h);
        await WarmAsync(h);
        // Behind the node's back (no change announced): only a read from the store would see it.
        var stored = (await h.Store.FindByIdAsync(token.Details.Token.Id, Ct))!;
        await h.Store.UpdateAsync(stored with { Description = "changed unannounced" }, null, Ct);
        var entryBefore = h.Services.GetRequiredService<ApiTokenCache>().WarmCount;

        var result = await h.Validator.ValidateAsync(token.Secret, "ci", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.Success, result.Status);
        Assert.AreEqual(entryBefore - 1, h.Services.GetRequiredService<ApiTokenCache>().WarmCount, "taken from the warm-up, once");
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task ATokenChangedBeforeItsFirstRequest_IsReadAgain()
    {
        using var h = Harness.Create();
        var token = await UsedTokenAsync(h);
        await WarmAsync(h);

        await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: Ct);
        var result = await h.Validator.ValidateAsync(token.Secret, "ci", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, result.Status, "the warm lookup was dropped with the change");
    }

    [TestMethod]
    public async Task WarmUpTokensZero_ReadsNothing_AndIsReadyAtOnce()
    {
        using var h = Harness.Create(o => o.WarmUpTokens = 0);
        await UsedTokenAsync(h);

        await WarmAsync(h);

        Assert.AreEqual(0, h.Services.GetRequiredService<ApiTokenCache>().WarmCount);
    }

    private async Task<ApiTokens.Management.CreatedApiToken> UsedTokenAsync(Harness h)
    {
        var token = await h.CreateAsync(Harness.Bob);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);
        // The node restarts: its cache is empty.
        h.Services.GetRequiredService<ApiTokenCache>().Restart(degraded: false);
        return token;
    }

    private async Task WarmAsync(Harness h)
    {
        var warmer = h.Services.GetRequiredService<CacheWarmer>();
        await warmer.StartAsync(Ct);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!warmer.IsWarm)
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(10), waited.Elapsed, "the warm-up did not finish");
            await Task.Delay(5, Ct);
        }

        await warmer.StopAsync(Ct);
    }
}
