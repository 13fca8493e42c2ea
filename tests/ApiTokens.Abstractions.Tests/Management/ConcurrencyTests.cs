using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Management;

[TestClass]
[TestCategory("R19")]
public sealed class ConcurrencyTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task FirstUses_64InParallel_RecordTheAppOnce_AllSeeTheSameState()
    {
        using var h = Harness.Create(o => o.DefaultAppState = AppState.Pending);
        var token = await h.CreateAsync(Harness.Bob);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            start.Wait(TestContext.CancellationToken);
            return await h.Validator.ValidateAsync(token.Secret, "race", TestContext.CancellationToken);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        Assert.HasCount(1, stored!.Apps);
        Assert.AreEqual(2, stored.Version, "one write");
        Assert.IsTrue(results.All(r => r.Status == ApiTokenValidationStatus.PendingApp));
    }

    [TestMethod]
    public async Task PrivilegeChangeRacingRetire_NeverResurrectsTheToken()
    {
        for (var round = 0; round < 50; round++)
        {
            using var h = Harness.Create();
            var token = await h.CreateAsync(Harness.Bob);
            var id = token.Details.Token.Id;
            using var start = new ManualResetEventSlim();

            var retire = Task.Run(async () =>
            {
                start.Wait(TestContext.CancellationToken);
                return await h.Manager.RetireAsync(Harness.Alice, id, cancellationToken: TestContext.CancellationToken);
            });
            var change = Task.Run(async () =>
            {
                start.Wait(TestContext.CancellationToken);
                return await h.Manager.UpdateAsync(Harness.Bob, id, new UpdateApiTokenRequest { Privilege = TokenPrivilege.Normal }, cancellationToken: TestContext.CancellationToken);
            });
            start.Set();
            var (retired, changed) = (await retire, await change);

            var stored = await h.Store.FindByIdAsync(id, TestContext.CancellationToken);
            if (retired.Succeeded)
            {
                Assert.IsTrue(stored!.IsRetired, "a retire that succeeded is never undone");
                Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(token.Secret, "a", TestContext.CancellationToken)).Status);
            }
            else
            {
                Assert.AreEqual(ApiTokenErrorCodes.ConcurrencyConflict, retired.Error.Code);
            }

            if (!changed.Succeeded)
            {
                CollectionAssert.Contains(new[] { ApiTokenErrorCodes.ConcurrencyConflict, ApiTokenErrorCodes.TokenRetired }, changed.Error.Code);
            }
        }
    }

    [TestMethod]
    public async Task ConcurrentUpdates_OneWinsOthersConflict_NoLostUpdate()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait(TestContext.CancellationToken);
            return (i, await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Description = $"writer {i}" }, cancellationToken: TestContext.CancellationToken));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        var stored = await h.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken);
        var winners = results.Where(r => r.Item2.Succeeded).ToArray();
        Assert.IsNotEmpty(winners);
        Assert.AreEqual(1 + winners.Length, stored!.Version, "every success is one write; no write was applied over another");
        Assert.IsTrue(results.Where(r => !r.Item2.Succeeded).All(r => r.Item2.Error!.Code == ApiTokenErrorCodes.ConcurrencyConflict));
        Assert.Contains(stored.Description, winners.Select(w => $"writer {w.i}"));
    }
}
