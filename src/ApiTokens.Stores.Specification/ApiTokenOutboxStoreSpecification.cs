namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenOutboxStore"/> as MSTest tests: messages are durable once
/// written, claimed by one claimer at a time for a lease, claimed again when the lease lapses, and
/// gone once completed.
/// </summary>
public abstract class ApiTokenOutboxStoreSpecification : StoreSpecification<IApiTokenOutboxStore>
{
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(1);

    // A kind of this test's own, so tests sharing a database never claim each other's messages.
    private static string NewKind() => "spec-" + Guid.NewGuid().ToString("N");

    private static ApiTokenOutboxMessage Message(string kind, int minutes = 0) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Kind = kind,
        Payload = "payload " + minutes,
        CreatedAt = T0.AddMinutes(minutes),
        NextAttemptAt = T0.AddMinutes(minutes),
    };

    [TestMethod]
    [TestCategory("R32")]
    public async Task ClaimAsync_ClaimsADueMessageOnce_PerLease_ThenAgain_UntilCompleted()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var kind = NewKind();
        var message = Message(kind);
        await store.EnqueueAsync(message, ct);

        var first = await store.ClaimAsync(kind, T0, s_lease, 10, ct);
        var within = await store.ClaimAsync(kind, T0 + s_lease - TimeSpan.FromSeconds(1), s_lease, 10, ct);
        var after = await store.ClaimAsync(kind, T0 + s_lease, s_lease, 10, ct);
        await store.CompleteAsync(message.Id, ct);
        var completed = await store.ClaimAsync(kind, T0 + (s_lease * 10), s_lease, 10, ct);
        await store.CompleteAsync(message.Id, ct);

        Assert.HasCount(1, first);
        Assert.AreEqual(message.Id, first[0].Id);
        Assert.AreEqual(message.Payload, first[0].Payload);
        Assert.AreEqual(1, first[0].Attempts);
        Assert.AreEqual(T0 + s_lease, first[0].NextAttemptAt, "claimed until the lease ends");
        Assert.IsEmpty(within, "hidden from other claims while claimed");
        Assert.HasCount(1, after, "a lapsed lease (a node that died) lets another claim it");
        Assert.AreEqual(2, after[0].Attempts);
        Assert.IsEmpty(completed, "a completed message is gone; completing it again changes nothing");
    }

    [TestMethod]
    public async Task ClaimAsync_OnlyDueMessagesOfTheKind_OldestFirst_AtMostMax()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var kind = NewKind();
        var other = NewKind();
        var oldest = Message(kind, 0);
        var middle = Message(kind, 1);
        var newest = Message(kind, 2);
        var later = Message(kind, 60);
        foreach (var message in new[] { newest, later, oldest, middle, Message(other, 0) })
        {
            await store.EnqueueAsync(message, ct);
        }

        var claimed = await store.ClaimAsync(kind, T0.AddMinutes(5), s_lease, 2, ct);
        var rest = await store.ClaimAsync(kind, T0.AddMinutes(5), s_lease, 10, ct);

        CollectionAssert.AreEquivalent(new[] { oldest.Id, middle.Id }, claimed.Select(m => m.Id).ToArray(), "the two oldest due");
        CollectionAssert.AreEqual(new[] { newest.Id }, rest.Select(m => m.Id).ToArray(), "not the one due in an hour, nor another kind's");
    }

    [TestMethod]
    [TestCategory("R32")]
    public async Task ClaimAsync_ConcurrentClaimers_EachMessageToExactlyOne()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var kind = NewKind();
        var messages = Enumerable.Range(0, 20).Select(i => Message(kind, i)).ToArray();
        foreach (var message in messages)
        {
            await store.EnqueueAsync(message, ct);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(_ => Task.Run(() => store.ClaimAsync(kind, T0.AddHours(1), s_lease, 3, ct), ct)));

        var claimed = claims.SelectMany(c => c).Select(m => m.Id).ToArray();
        CollectionAssert.AllItemsAreUnique(claimed, "no message went to two claimers");
        CollectionAssert.AreEquivalent(messages.Select(m => m.Id).ToArray(), claimed, "and every message went to one");
    }

    [TestMethod]
    public async Task EnqueueAsync_DuplicateId_ThrowsStoreException_AndKeepsTheFirst()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var kind = NewKind();
        var message = Message(kind);
        await store.EnqueueAsync(message, ct);

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.EnqueueAsync(message with { Payload = "another" }, ct));

        Assert.AreEqual(message.Payload, (await store.ClaimAsync(kind, T0, s_lease, 10, ct)).Single().Payload);
    }
}
