using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

// R20: a store that hangs is a failing store. A request waits at most StoreTimeout, and a request
// that gives up (timeout or its client gone) does not cancel the shared read others wait on.
[TestClass]
[TestCategory("R20")]
public sealed class StoreTimeoutTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task HangingRead_StoreUnavailableAfterStoreTimeout_AndLoggedOnce()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.StoreTimeout = TimeSpan.FromSeconds(2), store.Wrap);
        var token = await h.CreateAsync(Harness.Bob);
        var hang = new TaskCompletionSource();
        store.ReadGate = hang.Task;

        var waiting = h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken).AsTask();
        h.Time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.IsFalse(waiting.IsCompleted, "still within StoreTimeout");
        h.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.AreEqual(ApiTokenValidationStatus.StoreUnavailable, (await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Status);
        Assert.AreEqual(1, h.Logs.GetSnapshot().Count(r => r.Id.Id == 10), "StoreTimedOut logged");
        hang.SetResult();
    }

    [TestMethod]
    public async Task HangingFirstUse_StoreUnavailableAfterStoreTimeout()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.StoreTimeout = TimeSpan.FromSeconds(2), store.Wrap);
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "known", TestContext.CancellationToken);
        await h.Validator.ValidateAsync(token.Secret, "known", TestContext.CancellationToken);
        var hang = new TaskCompletionSource();
        store.RecordAppGate = hang.Task;

        var waiting = h.Validator.ValidateAsync(token.Secret, "new-app", TestContext.CancellationToken).AsTask();
        h.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.AreEqual(ApiTokenValidationStatus.StoreUnavailable, (await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken)).Status);
        hang.SetResult();
    }

    [TestMethod]
    public async Task OneWaiterGivesUp_TheSharedReadGoesOnForTheOthers()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.StoreTimeout = TimeSpan.FromSeconds(2), store.Wrap);
        var token = await h.CreateAsync(Harness.Bob);
        var gate = new TaskCompletionSource();
        store.ReadGate = gate.Task;
        using var gone = new CancellationTokenSource();

        var leaving = h.Validator.ValidateAsync(token.Secret, "app", gone.Token).AsTask();
        var staying = h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken).AsTask();
        await gone.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => leaving);

        gate.SetResult();

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await staying).Status);
        Assert.AreEqual(1, store.HashLookups, "one shared read, not cancelled by the client that left");
    }
}
