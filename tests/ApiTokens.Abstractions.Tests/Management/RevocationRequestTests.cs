using ApiTokens.Management;
using ApiTokens.Stores;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Management;

// R32 through the outbox: a revocation request is durable before it is answered and is handled off
// the answer, so the answer cannot tell a live secret from an unknown one by what it waited for, and
// a request whose node died is handled by the next node that looks (FakeTimeProvider for the lease).
[TestClass]
[TestCategory("R32")]
public sealed class RevocationRequestTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    public async Task Request_IsDurableAtOnce_TheSameStoreWorkForALiveAndAnUnknownSecret_RetiredWhenHandled()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var live = await h.CreateAsync(Harness.Bob);
        var queue = h.Services.GetRequiredService<RevocationRequests>();

        store.Reset();
        await h.Manager.RequestRevocationAsync([live.Secret], "revocation-request", Ct);
        var forLive = (store.Calls, store.Writes);
        store.Reset();
        await h.Manager.RequestRevocationAsync(["apt_never-existed-0000000000000000000000000000"], "revocation-request", Ct);
        var forUnknown = (store.Calls, store.Writes);

        Assert.AreEqual((1, 1), forLive, "one durable write, nothing read or retired before the answer");
        Assert.AreEqual(forLive, forUnknown, "whatever the secret");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(live.Secret, "app", Ct)).Status, "not handled yet (no host runs the queue here)");

        await queue.HandleDueAsync(Ct);

        Assert.IsTrue((await h.Store.FindByIdAsync(live.Details.Token.Id, Ct))!.IsRetired);
        Assert.AreEqual("revocation-request", (await h.Store.FindByIdAsync(live.Details.Token.Id, Ct))!.RetiredBy);
        Assert.IsEmpty(await ((IApiTokenOutboxStore)h.Store).ClaimAsync(RevocationRequests.Kind, h.Time.GetUtcNow().AddYears(1), TimeSpan.FromMinutes(1), 10, Ct), "done: gone from the outbox");
    }

    [TestMethod]
    public async Task ARequestClaimedByANodeThatDied_IsHandledOnceItsLeaseLapses()
    {
        using var h = Harness.Create();
        var live = await h.CreateAsync(Harness.Bob);
        var outbox = (IApiTokenOutboxStore)h.Store;
        await outbox.EnqueueAsync(RevocationRequests.Create([live.Secret], "revocation-request", h.Time.GetUtcNow()), Ct);
        Assert.HasCount(1, await outbox.ClaimAsync(RevocationRequests.Kind, h.Time.GetUtcNow(), TimeSpan.FromMinutes(1), 10, Ct), "another node claimed it, then died");
        var queue = h.Services.GetRequiredService<RevocationRequests>();

        await queue.HandleDueAsync(Ct);
        Assert.IsFalse((await h.Store.FindByIdAsync(live.Details.Token.Id, Ct))!.IsRetired, "not while its claim holds");

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await queue.HandleDueAsync(Ct);

        Assert.IsTrue((await h.Store.FindByIdAsync(live.Details.Token.Id, Ct))!.IsRetired, "handled once the claim lapsed: an acknowledged revocation is not lost");
    }
}
