using System.Collections.Concurrent;
using ApiTokens.Auditing;
using ApiTokens.Recording;
using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Auditing;

[TestClass]
public sealed class AuditTrailTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R24")]
    public async Task EveryChange_HasOneRecord_WithActorAndOldAndNewValues_RefusedChangesNone()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.ReadOnly, defaultAppState: AppState.Pending, description: "ci");
        var id = token.Details.Token.Id;

        await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Normal }, cancellationToken: Ct);
        Assert.AreEqual(ApiTokenErrorCodes.PrivilegeExceedsRole, (await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Admin }, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.ConcurrencyConflict, (await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "stale" }, expectedVersion: 1, cancellationToken: Ct)).Error?.Code);
        await h.Validator.ValidateAsync(token.Secret, "terraform", Ct);
        await h.Manager.SetAppStateAsync(Harness.Bob, id, "terraform", AppState.Allow, cancellationToken: Ct);
        await h.Manager.SetAppStateAsync(Harness.Alice, id, "cosi", AppState.Deny, cancellationToken: Ct);
        await h.Manager.RotateAsync(Harness.Bob, id, new RotateApiTokenRequest(), cancellationToken: Ct);
        await h.Manager.RetireAsync(Harness.Alice, id, cancellationToken: Ct);
        Assert.AreEqual(ApiTokenErrorCodes.TokenRetired, (await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Description = "late" }, cancellationToken: Ct)).Error?.Code);

        var records = (await h.Manager.ListEventsAsync(Harness.Bob, id, cancellationToken: Ct)).Value!.Items;

        CollectionAssert.AreEqual(
            new[] { ApiTokenAuditActions.Retired, ApiTokenAuditActions.Rotated, ApiTokenAuditActions.AppDecided, ApiTokenAuditActions.AppDecided, ApiTokenAuditActions.AppFirstSeen, ApiTokenAuditActions.Updated, ApiTokenAuditActions.Created },
            records.Select(r => r.Action).ToArray(),
            "newest first; nothing for the refused, conflicting and late changes");
        CollectionAssert.AreEqual(new[] { "alice", "bob", "alice", "bob", "app:terraform", "bob", "bob" }, records.Select(r => r.Actor).ToArray());
        Assert.IsTrue(records.All(r => r.TokenId == id && r.AccountId == "acme" && r.Sequence > 0 && r.Id.Length > 0));
        CollectionAssert.AreEqual(new[] { new ApiTokenAuditChange("privilege", "readOnly", "normal") }, records[5].Changes.ToArray(), "only what changed, old and new");
        CollectionAssert.Contains(records[4].Changes.ToArray(), new ApiTokenAuditChange("state", null, "pending"), "first sight with the state it got");
        CollectionAssert.Contains(records[3].Changes.ToArray(), new ApiTokenAuditChange("state", "pending", "allow"));
        CollectionAssert.Contains(records[2].Changes.ToArray(), new ApiTokenAuditChange("app", null, "cosi"), "decided before it was seen");
    }

    [TestMethod]
    [TestCategory("R24")]
    [TestCategory("R17")]
    public async Task NoRecord_HoldsASecretOrAHash()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Alice);
        var rotated = await h.Manager.RotateAsync(Harness.Alice, token.Details.Token.Id, new RotateApiTokenRequest(), cancellationToken: Ct);
        await h.Validator.ValidateAsync(token.Secret, "old", Ct);
        await h.Validator.ValidateAsync(token.Secret, "old", Ct);
        await h.Validator.ValidateAsync(rotated.Value!.Secret, "new", Ct);
        await h.Services.GetRequiredService<UseRecorder>().FlushAsync(Ct);
        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, Ct);

        var records = (await h.Manager.ListEventsAsync(Harness.Alice, null, cancellationToken: Ct)).Value!.Items;
        CollectionAssert.Contains(records.Select(r => r.Action).ToArray(), ApiTokenAuditActions.PreviousSecretUsed, "the previous secret's use is recorded (R23)");
        var text = string.Join("\n", records.SelectMany(r => new[] { r.ToString(), r.Id, r.Actor, r.Action }.Concat(r.Changes.SelectMany(c => new[] { c.Field, c.Old, c.New }))));

        foreach (var forbidden in new[] { token.Secret, rotated.Value.Secret, Convert.ToHexString(stored!.SecretHash), Convert.ToHexStringLower(stored.SecretHash), Convert.ToBase64String(stored.SecretHash), Convert.ToHexString(stored.PreviousSecretHash!), Convert.ToBase64String(stored.PreviousSecretHash!) })
        {
            Assert.DoesNotContain(forbidden, text);
        }
    }

    [TestMethod]
    [TestCategory("R24")]
    [TestCategory("R5")]
    public async Task Records_FollowTheTokensVisibility_AndTheAccountsAreForAdmins()
    {
        using var h = Harness.Create();
        var alices = await h.CreateAsync(Harness.Alice);
        await h.CreateAsync(Harness.Bob);

        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, (await h.Manager.ListEventsAsync(Harness.Bob, alices.Details.Token.Id, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, (await h.Manager.ListEventsAsync(Harness.Dave, alices.Details.Token.Id, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.AccountEventsRequireAdmin, (await h.Manager.ListEventsAsync(Harness.Bob, null, cancellationToken: Ct)).Error?.Code);
        Assert.HasCount(2, (await h.Manager.ListEventsAsync(Harness.Alice, null, cancellationToken: Ct)).Value!.Items);
        Assert.IsEmpty((await h.Manager.ListEventsAsync(Harness.Dave, null, cancellationToken: Ct)).Value!.Items, "another account's records stay there");
    }

    [TestMethod]
    [TestCategory("R24")]
    public async Task Records_ArePagedNewestFirst()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Alice);
        for (var i = 0; i < 4; i++)
        {
            await h.Manager.UpdateAsync(Harness.Alice, token.Details.Token.Id, new UpdateApiTokenRequest { Description = "v" + i }, cancellationToken: Ct);
        }

        var first = (await h.Manager.ListEventsAsync(Harness.Alice, token.Details.Token.Id, limit: 2, cancellationToken: Ct)).Value!;
        var second = (await h.Manager.ListEventsAsync(Harness.Alice, token.Details.Token.Id, first.NextCursor, 2, Ct)).Value!;
        var third = (await h.Manager.ListEventsAsync(Harness.Alice, token.Details.Token.Id, second.NextCursor, 2, Ct)).Value!;

        CollectionAssert.AreEqual(new[] { "v3", "v2" }, first.Items.Select(r => r.Changes[0].New).ToArray());
        CollectionAssert.AreEqual(new[] { "v1", "v0" }, second.Items.Select(r => r.Changes[0].New).ToArray());
        Assert.AreEqual(ApiTokenAuditActions.Created, third.Items.Single().Action);
        Assert.IsNull(third.NextCursor);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, (await h.Manager.ListEventsAsync(Harness.Alice, null, "not-a-cursor", cancellationToken: Ct)).Error?.Code);
    }

    [TestMethod]
    [TestCategory("R24")]
    [TestCategory("R15")]
    public async Task RoleChangeCapping_AndRetirementByRemoval_AreRecorded()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);
        h.Members.SetRole("acme", "bob", TokenPrivilege.ReadOnly);
        await h.Manager.MemberRoleChangedAsync("acme", "bob", "alice", Ct);
        await h.Manager.MemberRemovedAsync("acme", "bob", "alice", Ct);

        var records = (await h.Manager.ListEventsAsync(Harness.Alice, token.Details.Token.Id, cancellationToken: Ct)).Value!.Items;

        Assert.AreEqual(ApiTokenAuditActions.RetiredByMemberRemoval, records[0].Action);
        Assert.AreEqual("alice", records[0].Actor);
        Assert.AreEqual(ApiTokenAuditActions.CappedByRoleChange, records[1].Action);
        CollectionAssert.AreEqual(new[] { new ApiTokenAuditChange("effectivePrivilege", "normal", "readOnly") }, records[1].Changes.ToArray());
    }

    [TestMethod]
    [TestCategory("R24")]
    public async Task Handlers_HearEveryEvent_AfterItIsDurable_AndAFailingOneFailsNothing()
    {
        using var h = Harness.Create(services: s =>
        {
            s.AddSingleton<RecordingHandler>();
            s.AddSingleton<IApiTokenEventHandler>(sp => sp.GetRequiredService<RecordingHandler>());
            s.AddSingleton<IApiTokenEventHandler, ThrowingHandler>();
        });
        var heard = h.Services.GetRequiredService<RecordingHandler>();
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);

        Assert.AreEqual(ApiTokenValidationStatus.PendingApp, (await h.Validator.ValidateAsync(token.Secret, "waits", Ct)).Status);
        var retired = await h.Manager.RetireAsync(Harness.Bob, token.Details.Token.Id, cancellationToken: Ct);

        Assert.IsTrue(retired.Succeeded, "a throwing handler does not fail the change");
        for (var i = 0; i < 200 && heard.Records.Count < 3; i++)
        {
            await Task.Delay(10, Ct);   // the first sight is handed over off the request path
        }

        var actions = heard.Records.Select(r => r.Action).ToList();
        CollectionAssert.AreEquivalent(new[] { ApiTokenAuditActions.Created, ApiTokenAuditActions.AppFirstSeen, ApiTokenAuditActions.Retired }, actions);
        var firstSeen = heard.Records.Single(r => r.Action == ApiTokenAuditActions.AppFirstSeen);
        CollectionAssert.Contains(firstSeen.Changes.ToArray(), new ApiTokenAuditChange("state", null, "pending"), "the 'waiting for your approval' signal");
        Assert.IsTrue(heard.SawDurable, "the record was stored before the handler ran");
        Assert.IsTrue(h.Logs.GetSnapshot().Any(r => r.Id.Id == 14), "the failing handler is logged");
        Assert.IsTrue((await h.Store.FindByIdAsync(token.Details.Token.Id, Ct))!.IsRetired);
    }

    // Records what it hears, and whether the record was already in the store when it heard it.
    private sealed class RecordingHandler(ApiTokens.Stores.IApiTokenAuditStore store) : IApiTokenEventHandler
    {
        public ConcurrentQueue<ApiTokenAuditRecord> Records { get; } = new();

        public bool SawDurable { get; private set; } = true;

        public async Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
        {
            var stored = await store.ListAuditAsync(record.AccountId, record.TokenId, null, 100, cancellationToken);
            SawDurable &= stored.Records.Any(r => r.Id == record.Id);
            Records.Enqueue(record);
        }
    }

    private sealed class ThrowingHandler : IApiTokenEventHandler
    {
        public Task HandleAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken) => throw new InvalidOperationException("the mail server is down");
    }
}
