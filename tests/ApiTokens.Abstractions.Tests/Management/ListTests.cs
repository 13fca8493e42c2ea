using ApiTokens.Membership;
using ApiTokens.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Tests.Management;

[TestClass]
public sealed class ListTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R5")]
    [TestCategory("R15")]
    public async Task List_FiveHundredTokens_AsksMembershipOncePerOwnerNotPerToken()
    {
        CountingMembership? counting = null;
        using var h = Harness.Create(o => o.MaxActiveTokensPerUser = 250, services: s => s.AddSingleton<IAccountMembership>(sp => counting = new CountingMembership(sp.GetRequiredService<InMemoryAccountMembership>())));
        for (var i = 0; i < 250; i++)
        {
            await h.CreateAsync(Harness.Alice);
            await h.CreateAsync(Harness.Bob, privilege: TokenPrivilege.Normal);
        }

        h.Members.SetRole("acme", "bob", TokenPrivilege.ReadOnly);
        counting!.Calls = 0;

        var listed = await h.Manager.ListAsync(Harness.Alice, limit: 500, cancellationToken: TestContext.CancellationToken);

        Assert.HasCount(500, listed.Value!.Items);
        Assert.AreEqual(3, counting.Calls, "the actor's role, then one question for the two owners (the default GetRolesAsync asks each once)");
        Assert.IsTrue(listed.Value!.Items.Where(t => t.Token.OwnerId == "bob").All(t => t.EffectivePrivilege == TokenPrivilege.ReadOnly), "R15 still caps by the owner's current role");
    }

    [TestMethod]
    [TestCategory("R15")]
    public async Task MemberRemoved_StoreFailsForOneToken_RetiresTheOthersAndReportsIt()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var first = await h.CreateAsync(Harness.Bob);
        var second = await h.CreateAsync(Harness.Bob);
        var third = await h.CreateAsync(Harness.Bob);
        store.FailUpdate = t => t.Id == second.Details.Token.Id;
        h.Members.Remove("acme", "bob");

        var removal = await h.Manager.MemberRemovedAsync("acme", "bob", "alice", TestContext.CancellationToken);

        Assert.IsFalse(removal.Completed);
        CollectionAssert.AreEquivalent(new[] { first.Details.Token.Id, third.Details.Token.Id }, removal.RetiredTokenIds.ToArray());
        CollectionAssert.AreEqual(new[] { second.Details.Token.Id }, removal.FailedTokenIds.ToArray());
        Assert.IsTrue((await h.Store.FindByIdAsync(third.Details.Token.Id, TestContext.CancellationToken))!.IsRetired, "a failure does not stop the tokens after it");
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(second.Secret, "app", TestContext.CancellationToken)).Status, "the unretired token still fails: its owner is gone");
    }

    private sealed class CountingMembership(IAccountMembership inner) : IAccountMembership
    {
        public int Calls { get; set; }

        public ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken)
        {
            Calls++;
            return inner.GetRoleAsync(accountId, userId, cancellationToken);
        }
    }
}
