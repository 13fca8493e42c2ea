using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Management;

// R31, R32 in the core: which reported secrets are live, what retiring them writes, and that a
// previous secret past its grace period (FakeTimeProvider) is known but no longer live.
[TestClass]
[TestCategory("R31")]
public sealed class LeakedSecretTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task LiveSecrets_Retire_Known_Unknown_AndARepeatChangesNothing()
    {
        using var h = Harness.Create();
        var live = await h.CreateAsync(Harness.Bob, description: "live");
        var retired = await h.CreateAsync(Harness.Bob, description: "already retired");
        Assert.IsTrue((await h.Manager.RetireAsync(Harness.Bob, retired.Details.Token.Id, cancellationToken: TestContext.CancellationToken)).Succeeded);

        var results = await h.Manager.RetireLeakedSecretsAsync(
            [new(live.Secret, "content", "https://github.com/a/b"), new(retired.Secret), new("apt_unknown-secret-0000000000000000000000000000000")],
            "leak-report:github",
            TestContext.CancellationToken);

        CollectionAssert.AreEqual(new[] { LeakedSecretStatus.Retired, LeakedSecretStatus.Inactive, LeakedSecretStatus.Unknown }, results.Select(r => r.Status).ToArray());
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(live.Secret, "app", TestContext.CancellationToken)).Status);
        var audit = (await h.Store.ListAuditAsync("acme", live.Details.Token.Id, null, 10, TestContext.CancellationToken)).Records[0];
        Assert.AreEqual(ApiTokenAuditActions.Retired, audit.Action);
        Assert.AreEqual("leak-report:github", audit.Actor);
        Assert.AreEqual("https://github.com/a/b", audit.Changes.Single(c => c.Field == "url").New);
        Assert.AreEqual("content", audit.Changes.Single(c => c.Field == "source").New);
        Assert.IsFalse(audit.Changes.Any(c => (c.New ?? "").Contains(live.Secret, StringComparison.Ordinal)), "no secret in the record");

        var again = await h.Manager.RetireLeakedSecretsAsync([new(live.Secret, "content", "https://github.com/a/b")], "leak-report:github", TestContext.CancellationToken);
        Assert.AreEqual(LeakedSecretStatus.Inactive, again[0].Status);
        Assert.HasCount(1, (await h.Store.ListAuditAsync("acme", live.Details.Token.Id, null, 10, TestContext.CancellationToken)).Records.Where(r => r.Action == ApiTokenAuditActions.Retired).ToArray());
    }

    [TestMethod]
    public void ALeakedSecret_NeverPrintsItsSecret()
    {
        var leaked = new LeakedSecret("apt_secret-that-must-not-be-printed-000000000", "content", "https://github.com/a/b");

        Assert.DoesNotContain("apt_secret", leaked.ToString());
        Assert.Contains("https://github.com/a/b", leaked.ToString());
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task APreviousSecret_RetiresWithinTheGracePeriod_IsOnlyKnownAfterIt()
    {
        using var h = Harness.Create();
        var first = await h.CreateAsync(Harness.Bob, description: "rotated within grace");
        var second = await h.CreateAsync(Harness.Bob, description: "rotated, grace over");
        var rotatedFirst = await h.Manager.RotateAsync(Harness.Bob, first.Details.Token.Id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromHours(1) }, cancellationToken: TestContext.CancellationToken);
        await h.Manager.RotateAsync(Harness.Bob, second.Details.Token.Id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromMinutes(5) }, cancellationToken: TestContext.CancellationToken);
        h.Time.Advance(TimeSpan.FromMinutes(10));

        var results = await h.Manager.RetireLeakedSecretsAsync([new(first.Secret), new(second.Secret)], "revocation-request", TestContext.CancellationToken);

        Assert.AreEqual(LeakedSecretStatus.Retired, results[0].Status, "previous secret within its grace: live");
        Assert.AreEqual(LeakedSecretStatus.Inactive, results[1].Status, "previous secret past its grace: known, not live");
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(rotatedFirst.Value!.Secret, "app", TestContext.CancellationToken)).Status, "both secrets of the reported token stop");
        Assert.IsFalse((await h.Store.FindByIdAsync(second.Details.Token.Id, TestContext.CancellationToken))!.IsRetired);
    }
}
