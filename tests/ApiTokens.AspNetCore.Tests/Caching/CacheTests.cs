using System.Net;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using ApiTokens.Tests;

namespace ApiTokens.AspNetCore.Tests.Caching;

[TestClass]
public sealed class CacheTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task CacheHit_KnownApp_NoStoreIo()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        await host.GetAsync(token.Secret);
        await host.GetAsync(token.Secret);
        store.Reset();

        for (var i = 0; i < 20; i++)
        {
            Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode);
        }

        Assert.AreEqual(0, store.Calls);
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task ChangeOnAnotherNode_ShowsAfterCacheLifetime()
    {
        await using var host = await ApiHost.StartAsync(core: o => o.CacheLifetime = TimeSpan.FromSeconds(30));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "records the app");
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "caches the token with its app");

        // Another node retires the token: it writes the store directly, so this node hears nothing.
        var stored = await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        await host.Store.UpdateAsync(stored! with { RetiredAt = host.Time.GetUtcNow(), RetiredBy = "alice" }, null, TestContext.CancellationToken);

        host.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "still within the cache lifetime");
        host.Time.Advance(TimeSpan.FromSeconds(2));
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    public async Task CacheLifetimeZero_EveryRequestReadsTheStore()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.CacheLifetime = TimeSpan.Zero, wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        await host.GetAsync(token.Secret);
        store.Reset();

        await host.GetAsync(token.Secret);
        await host.GetAsync(token.Secret);

        Assert.AreEqual(2, store.HashLookups);
    }

    [TestMethod]
    [TestCategory("R13")]
    [TestCategory("R18")]
    public async Task Retire_CachedToken_FailsOnTheVeryNextRequest()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode);

        await host.ManageAsync(m => m.RetireAsync(ApiHost.Bob, token.Details.Token.Id));

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret), 401, ApiTokenFailureCodes.BadToken);
        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Basic(HttpMethod.Get, "/read", "test-app", token.Secret), TestContext.CancellationToken), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    [TestCategory("R18")]
    [TestCategory("R10")]
    public async Task AppDecision_CachedApp_TakesEffectOnTheVeryNextRequest()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "cosi"), 401, ApiTokenFailureCodes.PendingApp);

        await host.ManageAsync(m => m.SetAppStateAsync(ApiHost.Bob, token.Details.Token.Id, "cosi", AppState.Allow));
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "cosi")).StatusCode);

        await host.ManageAsync(m => m.SetAppStateAsync(ApiHost.Bob, token.Details.Token.Id, "cosi", AppState.Deny));
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "cosi"), 403, ApiTokenFailureCodes.DeniedApp);
    }

    [TestMethod]
    [TestCategory("R9")]
    [TestCategory("R18")]
    public async Task DefaultStateChange_KeepsRecordedApps_AppliesToNewOnes()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "old")).StatusCode);

        await host.ManageAsync(m => m.UpdateAsync(ApiHost.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { DefaultAppState = AppState.Deny }));

        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "old")).StatusCode);
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "new"), 403, ApiTokenFailureCodes.DeniedApp);
    }

    [TestMethod]
    [TestCategory("R18")]
    public async Task PrivilegeLowered_TakesEffectOnTheVeryNextRequest()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken)).StatusCode);

        await host.ManageAsync(m => m.UpdateAsync(ApiHost.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.ReadOnly }));

        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/write", token.Secret), TestContext.CancellationToken), 403, ApiTokenFailureCodes.InsufficientPrivilege);
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task MemberRemoved_UserTokensFail_PromotedTokenKeepsWorking()
    {
        await using var host = await ApiHost.StartAsync();
        var plain = await host.CreateTokenAsync(ApiHost.Bob);
        var promoted = await host.CreateTokenAsync(ApiHost.Bob);
        await host.ManageAsync(m => m.PromoteAsync(ApiHost.Alice, promoted.Details.Token.Id));
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(plain.Secret)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(promoted.Secret)).StatusCode);

        host.Members.Remove("acme", "bob");
        await host.ManageAsync(m => m.MemberRemovedAsync("acme", "bob", "alice"));

        await ApiHost.ProblemAsync(await host.GetAsync(plain.Secret), 401, ApiTokenFailureCodes.BadToken);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(promoted.Secret)).StatusCode);
    }

    [TestMethod]
    [TestCategory("R8")]
    [TestCategory("R19")]
    public async Task HundredConcurrentFirstRequests_NewApp_RecordedOnceWithOneStoreCall()
    {
        var store = new CountingStore();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        store.Reset();
        store.RecordAppGate = gate.Task;

        var requests = Enumerable.Range(0, 100).Select(_ => host.GetAsync(token.Secret, "stampede")).ToArray();
        gate.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.IsTrue(responses.All(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.AreEqual(1, store.AppRecords, "one store call for the new app");
        Assert.HasCount(1, (await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task TokenAtItsLimit_FloodOfNewAppNames_NoStoreCalls_NothingAccumulates()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.MaxAppsPerToken = 1, wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "only")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "only")).StatusCode);
        store.Reset();

        for (var i = 0; i < 50; i++)
        {
            await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "flood-" + i), 403, ApiTokenFailureCodes.TooManyApps);
        }

        Assert.AreEqual(0, store.Calls, "a cached token at its limit refuses new apps without the store");
        Assert.HasCount(1, (await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFailsWhileRecordingNewApp_ThenRecovers_NextRequestRecordsIt()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "known")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "known")).StatusCode);

        store.FailWrites = true;
        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "new-app"), 503, ApiTokenFailureCodes.StoreUnavailable);
        store.FailWrites = false;

        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "new-app")).StatusCode, "a failed recording is not remembered");
        Assert.IsNotNull((await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.FindApp("new-app"));
    }
}
