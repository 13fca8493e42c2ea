using ApiTokens.Auditing;
using ApiTokens.Webhooks;

namespace ApiTokens.Stores.Specification;

/// <summary>
/// The contract of <see cref="IApiTokenWebhookStore"/> as MSTest tests (R37): endpoints kept with a
/// version, and the outbox — every change whose audit record carries an event writes one delivery per
/// receiving endpoint of its account in the same step, a refused change writes none, and each due
/// delivery is claimed by one claimer at a time.
/// </summary>
/// <remarks>
/// Claims see the deliveries of every account, so <see cref="StoreSpecification{TStore}.CreateStoreAsync"/>
/// must return a store of its own for each test here (a new in-memory store, a new database).
/// </remarks>
public abstract class ApiTokenWebhookStoreSpecification : StoreSpecification<IApiTokenWebhookStore>
{
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(1);

    private static ApiTokenWebhook Webhook(string accountId, IReadOnlyList<string>? events = null, bool enabled = true, int minutes = 0) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        AccountId = accountId,
        Url = "https://hooks.example.com/" + Guid.NewGuid().ToString("N")[..8],
        Events = events,
        Enabled = enabled,
        Description = "chat",
        ProtectedSecret = "protected-secret",
        CreatedBy = "alice",
        CreatedAt = T0.AddMinutes(minutes),
    };

    private static ApiTokenAuditRecord Announced(ApiToken token, string action, string type)
        => Audit(token, action) with { Event = new ApiTokenEvent(type, "{\"type\":\"" + type + "\",\"token\":\"" + token.Id + "\"}") };

    private static ApiTokenWebhookDelivery Delivery(ApiTokenWebhook webhook, int minutes) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        WebhookId = webhook.Id,
        AccountId = webhook.AccountId,
        EventId = Guid.NewGuid().ToString("N"),
        Type = ApiTokenEventTypes.Test,
        Payload = "{\"type\":\"webhook.test\"}",
        CreatedAt = T0.AddMinutes(minutes),
        NextAttemptAt = T0.AddMinutes(minutes),
    };

    private async Task<IReadOnlyList<ApiTokenWebhookDelivery>> DeliveriesAsync(IApiTokenWebhookStore store, ApiTokenWebhook webhook)
        => await store.ListDeliveriesAsync(webhook.Id, null, 1000, TestContext.CancellationToken);

    [TestMethod]
    [TestCategory("R37")]
    public async Task Webhooks_AreKeptPerAccount_OldestFirst_WithAVersion_AndDeletedWithTheirDeliveries()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var second = await store.CreateWebhookAsync(Webhook(account, ["token.created"], minutes: 2) with { ProtectedPreviousSecret = "old", PreviousSecretExpiresAt = T0.AddDays(1) }, ct);
        var first = await store.CreateWebhookAsync(Webhook(account, minutes: 1), ct);
        await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var delivery = await store.AddDeliveryAsync(Delivery(first, 3), ct);

        var listed = await store.ListWebhooksAsync(account, ct);
        var found = await store.FindWebhookAsync(second.Id, ct);
        var deleted = await store.DeleteWebhookAsync(first.Id, ct);
        var deletedAgain = await store.DeleteWebhookAsync(first.Id, ct);

        Assert.AreEqual(1, first.Version);
        CollectionAssert.AreEqual(new[] { first.Id, second.Id }, listed.Select(w => w.Id).ToArray(), "the account's endpoints, oldest first");
        Assert.IsNotNull(found);
        Assert.AreEqual(second.Url, found.Url);
        CollectionAssert.AreEqual(new[] { "token.created" }, found.Events!.ToArray());
        Assert.AreEqual("chat", found.Description);
        Assert.AreEqual("protected-secret", found.ProtectedSecret);
        Assert.AreEqual("old", found.ProtectedPreviousSecret);
        Assert.AreEqual(T0.AddDays(1), found.PreviousSecretExpiresAt);
        Assert.IsTrue(deleted);
        Assert.IsFalse(deletedAgain);
        Assert.IsNull(await store.FindWebhookAsync(first.Id, ct));
        Assert.IsNull(await store.FindDeliveryAsync(delivery.Id, ct), "an endpoint's deliveries go with it");
        Assert.IsNull(await store.FindWebhookAsync("no-such-webhook", ct));
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task UpdateWebhookAsync_CurrentVersion_ReplacesAndIncrements_StaleVersion_ThrowsConflictAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var created = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);

        var updated = await store.UpdateWebhookAsync(created with { Enabled = false, DisabledReason = "failing", FailingSince = T0, Events = ["token.retired"] }, ct);
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateWebhookAsync(created with { Url = "https://stale.example.com/" }, ct));
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateWebhookAsync(Webhook(created.AccountId) with { Version = 1 }, ct));

        var found = await store.FindWebhookAsync(created.Id, ct);
        Assert.AreEqual(2, updated.Version);
        Assert.AreEqual(2, found!.Version);
        Assert.IsFalse(found.Enabled);
        Assert.AreEqual("failing", found.DisabledReason);
        Assert.AreEqual(T0, found.FailingSince);
        Assert.AreEqual(created.Url, found.Url, "the stale write changed nothing");
        CollectionAssert.AreEqual(new[] { "token.retired" }, found.Events!.ToArray());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task TryCreateAsync_WithAnEvent_WritesOneDeliveryPerEndpointOfTheAccountThatReceivesIt()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var all = await store.CreateWebhookAsync(Webhook(account), ct);
        var created = await store.CreateWebhookAsync(Webhook(account, [ApiTokenEventTypes.Created]), ct);
        var retired = await store.CreateWebhookAsync(Webhook(account, [ApiTokenEventTypes.Retired]), ct);
        var disabled = await store.CreateWebhookAsync(Webhook(account, enabled: false), ct);
        var otherAccount = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var token = NewToken(account);
        var record = Announced(token, ApiTokenAuditActions.Created, ApiTokenEventTypes.Created);

        await store.TryCreateAsync(token, int.MaxValue, record, ct);

        foreach (var receiver in new[] { all, created })
        {
            var deliveries = await DeliveriesAsync(store, receiver);
            Assert.HasCount(1, deliveries, "one delivery per receiving endpoint, written with the change");
            var delivery = deliveries[0];
            Assert.AreEqual(record.Id, delivery.EventId, "the event's id is its record's");
            Assert.AreEqual(ApiTokenEventTypes.Created, delivery.Type);
            Assert.AreEqual(record.Event!.Payload, delivery.Payload);
            Assert.AreEqual(account, delivery.AccountId);
            Assert.AreEqual(ApiTokenWebhookDeliveryStatus.Pending, delivery.Status);
            Assert.AreEqual(0, delivery.Attempts);
            Assert.IsTrue(delivery.NextAttemptAt <= record.At, "due at once");
            Assert.AreEqual(delivery, await store.FindDeliveryAsync(delivery.Id, ct));
        }

        Assert.AreNotEqual((await DeliveriesAsync(store, all))[0].Id, (await DeliveriesAsync(store, created))[0].Id, "a delivery of its own per endpoint");
        Assert.IsEmpty(await DeliveriesAsync(store, retired), "filtered out by type");
        Assert.IsEmpty(await DeliveriesAsync(store, disabled), "a disabled endpoint receives nothing");
        Assert.IsEmpty(await DeliveriesAsync(store, otherAccount), "another account's endpoint receives nothing");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task EveryWriteWithAnEvent_WritesItsDelivery_AndAWriteWithoutOne_WritesNone()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var webhook = await store.CreateWebhookAsync(Webhook(account), ct);
        var token = await store.CreateAsync(NewToken(account), ct);

        var updated = await store.UpdateAsync(token with { Description = "changed" }, Announced(token, ApiTokenAuditActions.Updated, ApiTokenEventTypes.Updated), ct);
        await store.TryUpdateAsync(Promote(updated), int.MaxValue, Announced(token, ApiTokenAuditActions.Promoted, ApiTokenEventTypes.Promoted), ct);
        var recorded = await store.RecordAppAsync(token.Id, new TokenApp("cosi", AppState.Pending, T0), 100, Announced(token, ApiTokenAuditActions.AppFirstSeen, ApiTokenEventTypes.AppWaiting), ct);
        await store.AppendAuditAsync(Announced(token, ApiTokenAuditActions.Retired, ApiTokenEventTypes.Retired), ct);
        await store.UpdateAsync(recorded.Token! with { Description = "quiet" }, Audit(token, ApiTokenAuditActions.Updated), ct);
        await store.AppendAuditAsync(Audit(token, ApiTokenAuditActions.Updated), ct);

        var types = (await DeliveriesAsync(store, webhook)).Select(d => d.Type).ToArray();
        CollectionAssert.AreEqual(
            new[] { ApiTokenEventTypes.Retired, ApiTokenEventTypes.AppWaiting, ApiTokenEventTypes.Promoted, ApiTokenEventTypes.Updated },
            types,
            "one delivery per write with an event, newest first; none for records without one");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task RefusedWrites_WriteNoDeliveries()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var webhook = await store.CreateWebhookAsync(Webhook(account), ct);
        var token = (await store.RecordAppAsync((await store.CreateAsync(NewToken(account), ct)).Id, new TokenApp("cosi", AppState.Pending, T0), 100, null, ct)).Token!;
        var second = NewToken(account);

        var overQuota = await store.TryCreateAsync(second, 1, Announced(second, ApiTokenAuditActions.Created, ApiTokenEventTypes.Created), ct);
        await Assert.ThrowsAsync<ApiTokenDuplicateSecretException>(() => store.TryCreateAsync(second with { SecretHash = token.SecretHash }, int.MaxValue, Announced(second, ApiTokenAuditActions.Created, ApiTokenEventTypes.Created), ct));
        var updated = await store.UpdateAsync(token with { Description = "first" }, null, ct);
        await Assert.ThrowsAsync<ApiTokenConcurrencyException>(() => store.UpdateAsync(token with { Description = "stale" }, Announced(token, ApiTokenAuditActions.Updated, ApiTokenEventTypes.Updated), ct));
        var promotion = await store.TryUpdateAsync(Promote(updated), 0, Announced(token, ApiTokenAuditActions.Promoted, ApiTokenEventTypes.Promoted), ct);
        var again = await store.RecordAppAsync(token.Id, new TokenApp("cosi", AppState.Pending, T0), 100, Announced(token, ApiTokenAuditActions.AppFirstSeen, ApiTokenEventTypes.AppWaiting), ct);
        var full = await store.RecordAppAsync(token.Id, new TokenApp("terraform", AppState.Pending, T0), 1, Announced(token, ApiTokenAuditActions.AppFirstSeen, ApiTokenEventTypes.AppWaiting), ct);

        Assert.IsNull(overQuota);
        Assert.IsNull(promotion);
        Assert.IsFalse(again.Recorded);
        Assert.IsFalse(full.Recorded);
        Assert.IsEmpty(await DeliveriesAsync(store, webhook), "a change that does not land announces nothing");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ClaimDeliveriesAsync_ClaimsADueDeliveryOnce_PerLease_ThenAgain_UntilItIsDone()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var webhook = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var delivery = await store.AddDeliveryAsync(Delivery(webhook, 0), ct);
        var later = await store.AddDeliveryAsync(Delivery(webhook, 60), ct);

        var first = await store.ClaimDeliveriesAsync(T0, s_lease, 10, ct);
        var within = await store.ClaimDeliveriesAsync(T0 + s_lease - TimeSpan.FromSeconds(1), s_lease, 10, ct);
        var after = await store.ClaimDeliveriesAsync(T0 + s_lease, s_lease, 10, ct);
        await store.UpdateDeliveryAsync(after[0] with { Attempts = 1, Status = ApiTokenWebhookDeliveryStatus.Delivered, LastStatusCode = 204, LastAttemptAt = T0 + s_lease, NextAttemptAt = null }, ct);
        var done = await store.ClaimDeliveriesAsync(T0.AddMinutes(30), s_lease, 10, ct);

        Assert.HasCount(1, first, "only what is due");
        Assert.AreEqual(delivery.Id, first[0].Id);
        Assert.AreEqual(T0 + s_lease, first[0].NextAttemptAt, "hidden until the lease ends");
        Assert.AreEqual(delivery.Payload, first[0].Payload);
        Assert.IsEmpty(within, "hidden from other claims while claimed");
        Assert.HasCount(1, after, "a lapsed lease (a sender that died) lets another claim it");
        Assert.AreEqual(delivery.Id, after[0].Id);
        Assert.IsEmpty(done, "a delivered delivery is not claimed again");
        var stored = await store.FindDeliveryAsync(delivery.Id, ct);
        Assert.AreEqual(ApiTokenWebhookDeliveryStatus.Delivered, stored!.Status);
        Assert.AreEqual(204, stored.LastStatusCode);
        Assert.AreEqual(1, stored.Attempts);
        Assert.IsNull(stored.NextAttemptAt);
        CollectionAssert.AreEqual(new[] { later.Id }, (await store.ClaimDeliveriesAsync(T0.AddMinutes(60), s_lease, 10, ct)).Select(d => d.Id).ToArray());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ClaimDeliveriesAsync_ConcurrentClaimers_EachDeliveryToExactlyOne()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var account = NewAccount();
        var webhooks = new[] { await store.CreateWebhookAsync(Webhook(account), ct), await store.CreateWebhookAsync(Webhook(account), ct) };
        for (var i = 0; i < 20; i++)
        {
            var token = NewToken(account, minutes: i);
            await store.TryCreateAsync(token, int.MaxValue, Announced(token, ApiTokenAuditActions.Created, ApiTokenEventTypes.Created), ct);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters).Select(_ => Task.Run(() => store.ClaimDeliveriesAsync(T0.AddHours(1), s_lease, 3, ct), ct)));

        var claimed = claims.SelectMany(c => c).Select(d => d.Id).ToArray();
        CollectionAssert.AllItemsAreUnique(claimed, "no delivery went to two claimers");
        var written = (await DeliveriesAsync(store, webhooks[0])).Concat(await DeliveriesAsync(store, webhooks[1])).Select(d => d.Id).ToArray();
        Assert.HasCount(40, written);
        CollectionAssert.AreEquivalent(written, claimed, "and every delivery went to one");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ClaimDeliveriesAsync_OldestDueFirst_AtMostMax()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var webhook = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var newest = await store.AddDeliveryAsync(Delivery(webhook, 2), ct);
        var oldest = await store.AddDeliveryAsync(Delivery(webhook, 0), ct);
        var middle = await store.AddDeliveryAsync(Delivery(webhook, 1), ct);

        var claimed = await store.ClaimDeliveriesAsync(T0.AddMinutes(5), s_lease, 2, ct);
        var rest = await store.ClaimDeliveriesAsync(T0.AddMinutes(5), s_lease, 10, ct);

        CollectionAssert.AreEquivalent(new[] { oldest.Id, middle.Id }, claimed.Select(d => d.Id).ToArray(), "the two due first");
        CollectionAssert.AreEqual(new[] { newest.Id }, rest.Select(d => d.Id).ToArray());
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ListDeliveriesAsync_PagesNewestFirst_EveryDeliveryOnce()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var webhook = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var other = await store.CreateWebhookAsync(Webhook(webhook.AccountId), ct);
        var added = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            added.Add((await store.AddDeliveryAsync(Delivery(webhook, i), ct)).Id);
            await store.AddDeliveryAsync(Delivery(other, i), ct);
        }

        var pages = new List<IReadOnlyList<ApiTokenWebhookDelivery>>();
        long? before = null;
        do
        {
            var page = await store.ListDeliveriesAsync(webhook.Id, before, 3, ct);
            pages.Add(page);
            before = page.Count == 3 ? page[^1].Sequence : null;
        }
        while (before is not null);

        CollectionAssert.AreEqual(new[] { 3, 3, 1 }, pages.Select(p => p.Count).ToArray());
        added.Reverse();
        CollectionAssert.AreEqual(added, pages.SelectMany(p => p).Select(d => d.Id).ToArray(), "newest first, only this endpoint's");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AddDeliveryAsync_DuplicateId_ThrowsStoreException_AndUpdatingAGoneDelivery_ChangesNothing()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.CancellationToken;
        var webhook = await store.CreateWebhookAsync(Webhook(NewAccount()), ct);
        var delivery = await store.AddDeliveryAsync(Delivery(webhook, 0), ct);

        await Assert.ThrowsAsync<ApiTokenStoreException>(() => store.AddDeliveryAsync(delivery with { Payload = "another" }, ct));
        await store.UpdateDeliveryAsync(Delivery(webhook, 0) with { Status = ApiTokenWebhookDeliveryStatus.Failed }, ct);

        Assert.AreEqual(delivery.Payload, (await store.FindDeliveryAsync(delivery.Id, ct))!.Payload);
        Assert.HasCount(1, await DeliveriesAsync(store, webhook));
    }
}
