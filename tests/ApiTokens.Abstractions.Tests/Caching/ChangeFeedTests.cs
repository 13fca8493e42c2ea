using ApiTokens.Caching;
using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Caching;

// R26 in the core: notifiers hear every durable change; the feed invalidates what other nodes
// announce, and bounds the cache while the channel is down.
[TestClass]
[TestCategory("R26")]
public sealed class ChangeFeedTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Notifiers_HearEveryChange_ManagementFirstUseAndRoleChanges()
    {
        var notifier = new RecordingNotifier();
        using var h = Harness.Create(services: s => new ApiTokensBuilder(s).AddChangeNotifier<RecordingNotifier>().Services.AddSingleton(notifier));
        var token = await h.CreateAsync(Harness.Bob);
        var id = token.Details.Token.Id;

        await h.Validator.ValidateAsync(token.Secret, "first-use", Ct);
        await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "x" }, cancellationToken: Ct);
        await h.Manager.MemberRoleChangedAsync("acme", "bob", cancellationToken: Ct);

        Assert.AreEqual(3, notifier.Published.Count(p => p == id), string.Join(",", notifier.Published));
    }

    [TestMethod]
    public async Task WithANotifier_UntilItConnects_EntriesLiveAtMostDegradedCacheLifetime()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.DegradedCacheLifetime = TimeSpan.FromSeconds(1), store.Wrap, s => new ApiTokensBuilder(s).AddChangeNotifier<RecordingNotifier>());
        var token = await CachedAsync(h);
        store.Reset();

        // 650 ms: before the earliest refresh-ahead point (70 %), so nothing is reloaded yet.
        h.Time.Advance(TimeSpan.FromMilliseconds(650));
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(0, store.Calls, "younger than the bound: served from the cache");

        h.Time.Advance(TimeSpan.FromMilliseconds(450));
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(1, store.HashLookups, "older than DegradedCacheLifetime: read again");
    }

    [TestMethod]
    public async Task Connected_DropsEntriesCachedBefore_ThenTheUsualLifetime_Disconnected_BoundsItAgain()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromSeconds(30), store.Wrap, s => new ApiTokensBuilder(s).AddChangeNotifier<RecordingNotifier>());
        var feed = h.Services.GetRequiredService<ApiTokenChangeFeed>();
        Assert.IsFalse(feed.IsConnected, "a registered notifier starts disconnected");
        var token = await CachedAsync(h);
        store.Reset();

        feed.Connected();
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(1, store.HashLookups, "announcements missed before connecting: what was cached is dropped");
        h.Time.Advance(TimeSpan.FromSeconds(20));
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(1, store.HashLookups, "connected: the usual 30 s lifetime");

        feed.Disconnected();
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(2, store.HashLookups, "going down drops entries older than the bound");
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);
        Assert.AreEqual(3, store.HashLookups, "down: entries live at most DegradedCacheLifetime");
    }

    [TestMethod]
    public async Task TokenChanged_FromAnotherNode_InvalidatesOnThisNode_AndIsNotAnnouncedAgain()
    {
        var store = new CountingStore();
        var notifier = new RecordingNotifier();
        using var h = Harness.Create(null, store.Wrap, s => new ApiTokensBuilder(s).AddChangeNotifier<RecordingNotifier>().Services.AddSingleton(notifier));
        var feed = h.Services.GetRequiredService<ApiTokenChangeFeed>();
        feed.Connected();
        var token = await CachedAsync(h);
        var published = notifier.Published.Count;
        store.Reset();

        feed.TokenChanged(token.Details.Token.Id);
        await h.Validator.ValidateAsync(token.Secret, "app", Ct);

        Assert.AreEqual(1, store.HashLookups);
        Assert.AreEqual(published, notifier.Published.Count, "what arrives from other nodes is not echoed back");
    }

    [TestMethod]
    public void WithoutANotifier_TheChannelCountsAsUp()
    {
        using var h = Harness.Create();

        Assert.IsTrue(h.Services.GetRequiredService<ApiTokenChangeFeed>().IsConnected);
    }

    private async Task<CreatedApiToken> CachedAsync(Harness h)
    {
        var token = await h.CreateAsync(Harness.Bob);
        for (var i = 0; i < 2; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "app", Ct)).Status);
        }

        return token;
    }

    private sealed class RecordingNotifier : IApiTokenChangeNotifier
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Published { get; } = new();

        public void Publish(string tokenId) => Published.Enqueue(tokenId);
    }
}
