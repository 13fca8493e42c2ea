using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Tests.Lifecycle;

[TestClass]
public sealed class ExpiryTests
{
    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R21")]
    public async Task CachedToken_FailsOnTheFirstRequestAtItsExpiry_LikeAnUnknownToken()
    {
        var store = new CountingStore();
        using var h = Harness.Create(o => o.CacheLifetime = TimeSpan.FromMinutes(10), wrapStore: s => store.Wrap(s));
        var expiresAt = h.Time.GetUtcNow().AddMinutes(3);
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, ExpiresAt = expiresAt }, Ct);
        Assert.AreEqual(expiresAt, created.Value!.Details.Token.ExpiresAt);
        var secret = created.Value.Secret;
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "app", Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "app", Ct)).Status, "cached after the first use was recorded");

        h.Time.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromTicks(1));
        store.Reset();
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "app", Ct)).Status);
        Assert.AreEqual(0, store.Calls, "served from the cache until the last tick");

        h.Time.Advance(TimeSpan.FromTicks(1));
        var expired = await h.Validator.ValidateAsync(secret, "app", Ct);
        var unknown = await h.Validator.ValidateAsync(h.Secrets.Generate(), "app", Ct);

        Assert.AreEqual(ApiTokenValidationStatus.BadToken, expired.Status, "the cache entry did not outlive expiresAt by one request");
        Assert.AreEqual(unknown.Status, expired.Status);
        Assert.AreSame(unknown, expired, "the very same refusal as an unknown secret");
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task LifetimeDays_SetsTheExpiry_AndAnExpiredTokenShowsExpiredWithoutPrivilege()
    {
        using var h = Harness.Create();
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, LifetimeDays = 7 }, Ct);
        Assert.AreEqual(h.Time.GetUtcNow().AddDays(7), created.Value!.Details.Token.ExpiresAt);
        Assert.IsFalse(created.Value.Details.Expired);

        h.Time.Advance(TimeSpan.FromDays(7));
        var read = await h.Manager.GetAsync(Harness.Bob, created.Value.Details.Token.Id, Ct);

        Assert.IsTrue(read.Value!.Expired);
        Assert.IsNull(read.Value.EffectivePrivilege);
        var listed = (await h.Manager.ListAsync(Harness.Bob, cancellationToken: Ct)).Value!.Items.Single();
        Assert.IsTrue(listed.Expired, "the list judges expiry like a read");
        Assert.IsNull(listed.EffectivePrivilege);
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task ExpiredToken_CannotBeChanged_ButCanBeRetired()
    {
        using var h = Harness.Create();
        var created = await h.Manager.CreateAsync(Harness.Alice, new CreateApiTokenRequest { Type = TokenType.User, LifetimeDays = 1 }, Ct);
        var id = created.Value!.Details.Token.Id;
        h.Time.Advance(TimeSpan.FromDays(2));

        Assert.AreEqual(ApiTokenErrorCodes.TokenExpired, (await h.Manager.UpdateAsync(Harness.Alice, id, new UpdateApiTokenRequest { Description = "x" }, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenExpired, (await h.Manager.SetAppStateAsync(Harness.Alice, id, "app", AppState.Allow, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenExpired, (await h.Manager.PromoteAsync(Harness.Alice, id, cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.TokenExpired, (await h.Manager.RotateAsync(Harness.Alice, id, new RotateApiTokenRequest(), cancellationToken: Ct)).Error?.Code);
        Assert.AreEqual(1, (await h.Store.FindByIdAsync(id, Ct))!.Version, "nothing changed");

        var retired = await h.Manager.RetireAsync(Harness.Alice, id, cancellationToken: Ct);
        Assert.IsTrue(retired.Succeeded);
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task BadExpiry_IsRefusedWithAStableCode_AndCreatesNothing()
    {
        using var h = Harness.Create(o => o.MaxLifetime = TimeSpan.FromDays(90));
        var now = h.Time.GetUtcNow();

        async Task<string?> Code(CreateApiTokenRequest request) => (await h.Manager.CreateAsync(Harness.Bob, request, Ct)).Error?.Code;

        Assert.AreEqual(ApiTokenErrorCodes.InvalidExpiry, await Code(new() { Type = TokenType.User, ExpiresAt = now.AddSeconds(-1) }));
        Assert.AreEqual(ApiTokenErrorCodes.InvalidExpiry, await Code(new() { Type = TokenType.User, ExpiresAt = now }));
        Assert.AreEqual(ApiTokenErrorCodes.InvalidExpiry, await Code(new() { Type = TokenType.User, ExpiresAt = now.AddDays(1), LifetimeDays = 1 }));
        Assert.AreEqual(ApiTokenErrorCodes.InvalidExpiry, await Code(new() { Type = TokenType.User, LifetimeDays = 0 }));
        Assert.AreEqual(ApiTokenErrorCodes.LifetimeExceedsMaximum, await Code(new() { Type = TokenType.User, LifetimeDays = 91 }));
        Assert.AreEqual(ApiTokenErrorCodes.LifetimeExceedsMaximum, await Code(new() { Type = TokenType.User, ExpiresAt = now.AddDays(90).AddSeconds(1) }));
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    [TestCategory("R21")]
    public async Task NoExpiryAsked_GetsTheDefault_OrTheMaximum_OrNone()
    {
        using var none = Harness.Create();
        using var max = Harness.Create(o => o.MaxLifetime = TimeSpan.FromDays(90));
        using var both = Harness.Create(o => { o.MaxLifetime = TimeSpan.FromDays(90); o.DefaultLifetime = TimeSpan.FromDays(30); });

        Assert.IsNull((await none.CreateAsync(Harness.Bob)).Details.Token.ExpiresAt);
        Assert.AreEqual(max.Time.GetUtcNow().AddDays(90), (await max.CreateAsync(Harness.Bob)).Details.Token.ExpiresAt);
        Assert.AreEqual(both.Time.GetUtcNow().AddDays(30), (await both.CreateAsync(Harness.Bob)).Details.Token.ExpiresAt);
    }

    [TestMethod]
    [TestCategory("R21")]
    public void Options_DefaultBeyondMaximum_OrNonPositive_FailValidation()
    {
        foreach (var configure in new Action<ApiTokenOptions>[]
        {
            o => { o.DefaultLifetime = TimeSpan.FromDays(91); o.MaxLifetime = TimeSpan.FromDays(90); },
            o => o.MaxLifetime = TimeSpan.Zero,
            o => o.DefaultLifetime = TimeSpan.FromDays(-1),
            o => o.RotationGracePeriod = TimeSpan.FromDays(8),
            o => o.LastUsedGranularity = TimeSpan.FromMilliseconds(1),
        })
        {
            using var h = Harness.Create(configure);
            Assert.ThrowsExactly<OptionsValidationException>(() => h.Services.GetRequiredService<IOptions<ApiTokenOptions>>().Value);
        }
    }
}
