using System.Net;
using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

// R33 and R34 in the validation flow, with FakeTimeProvider: judged from the cached entry (no store
// I/O), after the token itself (an unknown token stays BadToken), before any app is judged or
// recorded; windows per token, across its apps and secrets; changes take effect on the next request.
[TestClass]
public sealed class NetworkAndRateLimitTests
{
    private static readonly IPAddress s_inside = IPAddress.Parse("10.1.2.3");
    private static readonly IPAddress s_outside = IPAddress.Parse("203.0.113.9");

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    [TestMethod]
    [TestCategory("R33")]
    public async Task AllowedNetworks_InsideServed_OutsideRefused_WithoutStoreIo_MappedIPv4Counts()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await CreateAsync(h, networks: ["10.0.0.0/8", "2001:db8::/32"]);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_inside, Ct)).Status);
        store.Reset();

        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", null, IPAddress.Parse("::ffff:10.9.9.9"), Ct)).Status, "an IPv4-mapped address counts as IPv4");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", null, IPAddress.Parse("2001:db8:1::5"), Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_outside, Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "ci", null, IPAddress.Parse("2001:db9::1"), Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "ci", null, null, Ct)).Status, "an unknown address is inside no network");
        Assert.AreEqual(0, store.HashLookups, "judged from the cache: no secret looked up");
        Assert.AreEqual(0, store.Calls - store.Writes, "no store read (a refusal's audit record is the only write)");
    }

    [TestMethod]
    [TestCategory("R33")]
    public async Task OutsideTheNetworks_ANewAppIsNotRecorded_AndAnUnknownTokenStaysBadToken()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["10.0.0.0/8"]);

        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "attacker-tool", null, s_outside, Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(h.Secrets.Generate(), "attacker-tool", null, s_outside, Ct)).Status);

        var stored = await h.Store.FindByIdAsync(token.Id, Ct);
        Assert.IsEmpty(stored!.Apps, "no app is recorded from outside");
    }

    [TestMethod]
    [TestCategory("R33")]
    public async Task ChangingTheNetworks_TakesEffectOnTheNextRequest_AndClearingAllowsAny()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["10.0.0.0/8"]);
        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_outside, Ct)).Status);

        Assert.IsTrue((await h.Manager.UpdateAsync(Harness.Bob, token.Id, new UpdateApiTokenRequest { AllowedNetworks = ["203.0.113.0/24"] }, cancellationToken: Ct)).Succeeded);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_outside, Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.NetworkNotAllowed, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_inside, Ct)).Status);

        Assert.IsTrue((await h.Manager.UpdateAsync(Harness.Bob, token.Id, new UpdateApiTokenRequest { AllowedNetworks = [] }, cancellationToken: Ct)).Succeeded);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", null, s_inside, Ct)).Status);
        var audit = (await h.Store.ListAuditAsync("acme", token.Id, null, 10, Ct)).Records.Where(r => r.Action == ApiTokenAuditActions.Updated).ToArray();
        Assert.AreEqual("10.0.0.0/8", audit[^1].Changes.Single(c => c.Field == "allowedNetworks").Old);
        Assert.IsNull(audit[0].Changes.Single(c => c.Field == "allowedNetworks").New);
    }

    [TestMethod]
    [TestCategory("R33")]
    [DataRow("10.0.0.0/33")]
    [DataRow("2001:db8::/129")]
    [DataRow("not-an-address")]
    [DataRow("10.0.0")]
    [DataRow("10.0.0.0/")]
    [DataRow("10.0.0.0/-1")]
    [DataRow("")]
    public async Task AMalformedRange_IsRefused_AndNothingChanges(string range)
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["10.0.0.0/8"]);

        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, AllowedNetworks = ["192.168.0.0/16", range] }, Ct);
        var updated = await h.Manager.UpdateAsync(Harness.Bob, token.Id, new UpdateApiTokenRequest { AllowedNetworks = [range] }, cancellationToken: Ct);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidNetwork, created.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidNetwork, updated.Error?.Code);
        Assert.AreEqual(1, h.Store.Count);
        CollectionAssert.AreEqual(new[] { "10.0.0.0/8" }, (await h.Store.FindByIdAsync(token.Id, Ct))!.AllowedNetworks.ToArray());
    }

    [TestMethod]
    [TestCategory("R33")]
    public async Task Ranges_AreNormalized_AndAtMost32()
    {
        using var h = Harness.Create();

        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, AllowedNetworks = ["10.1.2.3/8", " 192.0.2.7 ", "2001:DB8::1/32", "::ffff:198.51.100.0/120", "10.0.0.0/8"] }, Ct);
        var tooMany = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, AllowedNetworks = [.. Enumerable.Range(0, 33).Select(i => $"10.0.{i}.0/24")] }, Ct);

        CollectionAssert.AreEqual(new[] { "10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "198.51.100.0/24" }, created.Value!.Details.Token.AllowedNetworks.ToArray());
        Assert.AreEqual(ApiTokenErrorCodes.InvalidNetwork, tooMany.Error?.Code);
    }

    [TestMethod]
    [TestCategory("R34")]
    public async Task FivePerMinute_TheSixthIsRateLimited_UntilTheWindowEnds_OtherTokensUnaffected()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var limited = await CreateAsync(h, rateLimit: new ApiTokenRateLimit(5, 60));
        var other = await CreateAsync(h);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(limited.Secret, "one", Ct)).Status);
        store.Reset();

        for (var i = 0; i < 4; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(limited.Secret, i % 2 == 0 ? "one" : "two", Ct)).Status, $"request {i + 2}");
        }

        h.Time.Advance(TimeSpan.FromSeconds(20));
        var sixth = await h.Validator.ValidateAsync(limited.Secret, "one", Ct);
        Assert.AreEqual(ApiTokenValidationStatus.RateLimited, sixth.Status, "counted across the token's apps");
        Assert.AreEqual(TimeSpan.FromSeconds(40), sixth.RetryAfter);
        Assert.AreEqual(new ApiTokenRateLimit(5, 60), sixth.RateLimit);
        Assert.AreEqual(0, store.HashLookups, "no store read for the limit");
        Assert.AreEqual(1, store.AppRecords, "the second app's first use is the only app write");
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(other.Secret, "one", Ct)).Status, "other tokens are unaffected");

        h.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(limited.Secret, "one", Ct)).Status, "a new window (the entry reloaded: the count is the token's, not the entry's)");
    }

    [TestMethod]
    [TestCategory("R34")]
    public async Task ALimitChange_TakesEffectOnTheNextRequest_AndRemovingItFallsBackToTheDefault()
    {
        using var h = Harness.Create(o => o.DefaultRateLimit = new ApiTokenRateLimit(100, 60));
        var token = await CreateAsync(h, rateLimit: new ApiTokenRateLimit(1, 60));
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        Assert.AreEqual(ApiTokenValidationStatus.RateLimited, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);

        Assert.IsTrue((await h.Manager.UpdateAsync(Harness.Bob, token.Id, new UpdateApiTokenRequest { RateLimit = new ApiTokenRateLimit(3, 60) }, cancellationToken: Ct)).Succeeded);
        for (var i = 0; i < 3; i++)
        {
            Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        }

        Assert.AreEqual(ApiTokenValidationStatus.RateLimited, (await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        Assert.IsTrue((await h.Manager.UpdateAsync(Harness.Bob, token.Id, new UpdateApiTokenRequest { RemoveRateLimit = true }, cancellationToken: Ct)).Succeeded);
        var results = new List<ApiTokenValidationStatus>();
        for (var i = 0; i < 101; i++)
        {
            results.Add((await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
        }

        Assert.AreEqual(100, results.Count(s => s == ApiTokenValidationStatus.Success), "the default limit applies");
        Assert.AreEqual(ApiTokenValidationStatus.RateLimited, results[^1]);
    }

    [TestMethod]
    [TestCategory("R34")]
    public async Task ARotatedTokensTwoSecrets_ShareOneWindow()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, rateLimit: new ApiTokenRateLimit(4, 60));
        var rotated = await h.Manager.RotateAsync(Harness.Bob, token.Id, new RotateApiTokenRequest { GracePeriod = TimeSpan.FromHours(1) }, cancellationToken: Ct);

        var statuses = new List<ApiTokenValidationStatus>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await h.Validator.ValidateAsync(token.Secret, "ci", Ct)).Status);
            statuses.Add((await h.Validator.ValidateAsync(rotated.Value!.Secret, "ci", Ct)).Status);
        }

        Assert.AreEqual(4, statuses.Count(s => s == ApiTokenValidationStatus.Success));
    }

    [TestMethod]
    [TestCategory("R33")]
    [TestCategory("R34")]
    public async Task TheFirstRefusalOfEachMinute_IsAudited_WithTheAddress()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["10.0.0.0/8"], rateLimit: new ApiTokenRateLimit(1, 60));
        for (var i = 0; i < 5; i++)
        {
            await h.Validator.ValidateAsync(token.Secret, "scraper", null, s_outside, Ct);
        }

        await h.Validator.ValidateAsync(token.Secret, "ci", null, s_inside, Ct);
        await h.Validator.ValidateAsync(token.Secret, "ci", null, s_inside, Ct);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Validator.ValidateAsync(token.Secret, "scraper", null, s_outside, Ct);

        var refusals = await RecordsAsync(h, token.Id, 3);
        Assert.AreEqual(2, refusals.Count(r => r.Action == ApiTokenAuditActions.NetworkRefused), "one per minute, not one per request");
        Assert.AreEqual("203.0.113.9", refusals.First(r => r.Action == ApiTokenAuditActions.NetworkRefused).Changes.Single(c => c.Field == "address").New);
        Assert.AreEqual("app:scraper", refusals.First(r => r.Action == ApiTokenAuditActions.NetworkRefused).Actor);
        Assert.AreEqual(1, refusals.Count(r => r.Action == ApiTokenAuditActions.RateLimited));
    }

    [TestMethod]
    [TestCategory("R33")]
    public async Task ARefusalFromAnIPv4ClientOfADualStackSocket_IsAuditedWithItsIPv4Address()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["10.0.0.0/8"]);

        await h.Validator.ValidateAsync(token.Secret, "scraper", null, IPAddress.Parse("::ffff:203.0.113.9"), Ct);

        var refusal = (await RecordsAsync(h, token.Id, 1)).Single(r => r.Action == ApiTokenAuditActions.NetworkRefused);
        Assert.AreEqual("203.0.113.9", refusal.Changes.Single(c => c.Field == "address").New, "as people know it, not ::ffff:203.0.113.9");
    }

    [TestMethod]
    [TestCategory("R33")]
    [TestCategory("R34")]
    public async Task AHitWithNetworksAndALimit_AllocatesNothing()
    {
        using var h = Harness.Create();
        var token = await CreateAsync(h, networks: ["192.168.0.0/16", "10.0.0.0/8"], rateLimit: new ApiTokenRateLimit(ApiTokenRateLimit.MaxLimit, 3600));
        var mapped = IPAddress.Parse("::ffff:10.1.2.3");
        for (var i = 0; i < 100; i++)
        {
            await h.Validator.ValidateAsync(token.Secret, "ci", null, mapped, Ct);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            var result = await h.Validator.ValidateAsync(token.Secret, "ci", null, mapped, Ct);
            Assert.AreEqual(ApiTokenValidationStatus.Success, result.Status);
        }

        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static async Task<ApiTokenAuditRecord[]> RecordsAsync(Harness h, string tokenId, int expected)
    {
        // The refusals are written off the request path: wait for them (bounded).
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var records = (await h.Store.ListAuditAsync("acme", tokenId, null, 50, CancellationToken.None)).Records.Where(r => r.Action.StartsWith("request.", StringComparison.Ordinal)).ToArray();
            if (records.Length >= expected)
            {
                return records;
            }

            await Task.Delay(10);
        }

        return (await h.Store.ListAuditAsync("acme", tokenId, null, 50, CancellationToken.None)).Records.Where(r => r.Action.StartsWith("request.", StringComparison.Ordinal)).ToArray();
    }

    private async Task<(string Id, string Secret)> CreateAsync(Harness h, IReadOnlyList<string>? networks = null, ApiTokenRateLimit? rateLimit = null)
    {
        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Type = TokenType.User, DefaultAppState = AppState.Allow, AllowedNetworks = networks, RateLimit = rateLimit }, Ct);
        Assert.IsTrue(created.Succeeded, created.ToString());
        return (created.Value!.Details.Token.Id, created.Value.Secret);
    }
}
