using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Lifecycle;

[TestClass]
public sealed class RotationTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R23")]
    public async Task Rotate_NewSecretAtOnce_OldOneUntilTheGraceEnds_EvenWhenCached_AppsAndDecisionsKept()
    {
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromMinutes(30));
        var token = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        var id = token.Details.Token.Id;
        await h.Manager.SetAppStateAsync(Harness.Bob, id, "ci", AppState.Allow, cancellationToken: Ct);
        await h.Manager.SetAppStateAsync(Harness.Bob, id, "rogue", AppState.Deny, cancellationToken: Ct);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);

        var rotated = await h.Manager.RotateAsync(Harness.Bob, id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromMinutes(5) }, cancellationToken: Ct);

        Assert.IsTrue(rotated.Succeeded, rotated.ToString());
        var fresh = rotated.Value.Secret;
        Assert.AreNotEqual(token.Secret, fresh);
        Assert.AreEqual(id, rotated.Value.Details.Token.Id);
        Assert.AreEqual(h.Time.GetUtcNow().AddMinutes(5), rotated.Value.Details.Token.PreviousSecretExpiresAt);
        Assert.AreEqual(h.Time.GetUtcNow(), rotated.Value.Details.Token.RotatedAt);
        foreach (var secret in new[] { fresh, token.Secret })
        {
            var ok = await h.Validator.ValidateAsync(secret, "ci", Ct);
            Assert.AreEqual(ApiTokenValidationStatus.Success, ok.Status);
            Assert.AreEqual(id, ok.Token!.TokenId, "both secrets are the same token");
            Assert.AreEqual(ApiTokenValidationStatus.DeniedApp, (await h.Validator.ValidateAsync(secret, "rogue", Ct)).Status, "decisions kept");
        }

        h.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status, "within the grace period");
        h.Time.Advance(TimeSpan.FromTicks(1));
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status, "the cache never serves the previous secret past its grace");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(fresh, "ci", Ct)).Status);
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task BothSecretsInUse_DoNotPushEachOtherOutOfTheCache()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        var rotated = await h.Manager.RotateAsync(Harness.Bob, token.Details.Token.Id, new RotateApiTokenRequest(), cancellationToken: Ct);
        for (var warm = 0; warm < 2; warm++)
        {
            await h.Validator.ValidateAsync(token.Secret, "ci", Ct);
            await h.Validator.ValidateAsync(rotated.Value!.Secret, "ci", Ct);
        }

        store.Reset();

        for (var i = 0; i < 10; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(rotated.Value!.Secret, "ci", Ct)).Status);
        }

        Assert.AreEqual(0, store.Calls, "two secrets, two cache entries, no store reads");
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task SecondRotation_EndsTheFirstGraceAtOnce()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        var id = token.Details.Token.Id;
        var second = await h.Manager.RotateAsync(Harness.Bob, id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromHours(1) }, cancellationToken: Ct);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);

        var third = await h.Manager.RotateAsync(Harness.Bob, id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromHours(1) }, cancellationToken: Ct);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status, "never more than two live secrets");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(second.Value!.Secret, "ci", Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(third.Value!.Secret, "ci", Ct)).Status);
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task ZeroGrace_OldSecretFailsAtOnce_AndDefaultGraceIsTheOption()
    {
        using var h = Harness.Create(o => o.RotationGracePeriod = TimeSpan.FromMinutes(20));
        var a = await h.CreateAsync(Harness.Bob);
        var b = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(a.Secret, "ci", Ct);

        await h.Manager.RotateAsync(Harness.Bob, a.Details.Token.Id, new RotateApiTokenRequest { GracePeriod = TimeSpan.Zero }, cancellationToken: Ct);
        var defaulted = await h.Manager.RotateAsync(Harness.Bob, b.Details.Token.Id, new RotateApiTokenRequest(), cancellationToken: Ct);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(a.Secret, "ci", Ct)).Status);
        Assert.AreEqual(h.Time.GetUtcNow().AddMinutes(20), defaulted.Value!.Details.Token.PreviousSecretExpiresAt);
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task Rotate_Refusals_ChangeNothing()
    {
        using var h = Harness.Create(o => { o.MaxRotationGracePeriod = TimeSpan.FromDays(1); o.MaxLifetime = TimeSpan.FromDays(30); });
        var token = await h.CreateAsync(Harness.Bob);
        var id = token.Details.Token.Id;

        async Task<string?> Code(ApiTokenActor actor, RotateApiTokenRequest request) => (await h.Manager.RotateAsync(actor, id, request, cancellationToken: Ct)).Error?.Code;

        Assert.AreEqual(ApiTokenErrorCodes.InvalidGracePeriod, await Code(Harness.Bob, new() { GracePeriod = TimeSpan.FromSeconds(-1) }));
        Assert.AreEqual(ApiTokenErrorCodes.InvalidGracePeriod, await Code(Harness.Bob, new() { GracePeriod = TimeSpan.FromDays(1).Add(TimeSpan.FromSeconds(1)) }));
        Assert.AreEqual(ApiTokenErrorCodes.InvalidExpiry, await Code(Harness.Bob, new() { ExpiresAt = h.Time.GetUtcNow().AddDays(-1) }));
        Assert.AreEqual(ApiTokenErrorCodes.LifetimeExceedsMaximum, await Code(Harness.Bob, new() { ExpiresAt = h.Time.GetUtcNow().AddDays(31) }));
        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, await Code(Harness.Carol, new()), "another member's user token is invisible (R5)");
        Assert.AreEqual(ApiTokenErrorCodes.TokenNotFound, await Code(Harness.Dave, new()));
        Assert.AreEqual(1, (await h.Store.FindByIdAsync(id, Ct))!.Version);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status, "the secret still works");

        await h.Manager.RetireAsync(Harness.Bob, id, cancellationToken: Ct);
        Assert.AreEqual(ApiTokenErrorCodes.TokenRetired, await Code(Harness.Bob, new()));
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task Rotate_CanSetANewExpiry_AndTheGraceNeverOutlivesTheToken()
    {
        using var h = Harness.Create();
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, LifetimeDays = 30 }, Ct);
        var id = created.Value!.Details.Token.Id;

        var rotated = await h.Manager.RotateAsync(Harness.Bob, id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromHours(2), ExpiresAt = h.Time.GetUtcNow().AddHours(1) }, cancellationToken: Ct);

        Assert.AreEqual(h.Time.GetUtcNow().AddHours(1), rotated.Value!.Details.Token.ExpiresAt);
        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(created.Value.Secret, "ci", Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(rotated.Value.Secret, "ci", Ct)).Status);
    }
}
