using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

// ValidatedApiToken.GetOrAddState: what a transport keeps per cached (token, app) pair (the
// ASP.NET Core handler keeps its shared identity there; it replaced a ConditionalWeakTable).
[TestClass]
public sealed class ValidatedApiTokenStateTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task State_IsBuiltOncePerCachedPair_AndSharedByItsRequests()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);
        await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken);
        var builds = 0;
        object Build(ValidatedApiToken _)
        {
            Interlocked.Increment(ref builds);
            return new object();
        }

        var first = (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Token!.GetOrAddState(Build);
        var second = (await h.Validator.ValidateAsync(token.Secret, "app", TestContext.CancellationToken)).Token!.GetOrAddState(Build);
        var otherApp = (await h.Validator.ValidateAsync(token.Secret, "other-app", TestContext.CancellationToken));
        otherApp = await h.Validator.ValidateAsync(token.Secret, "other-app", TestContext.CancellationToken);

        Assert.AreSame(first, second);
        Assert.AreEqual(1, builds);
        Assert.AreNotSame(first, otherApp.Token!.GetOrAddState(Build), "each (token, app) pair has its own");
    }

    [TestMethod]
    public void AnotherType_IsBuiltEveryTime_AndNeverReplacesTheKeptValue()
    {
        var token = new ValidatedApiToken(new ApiToken
        {
            Id = "tok-1",
            Type = TokenType.Account,
            AccountId = "acme",
            CreatedBy = "alice",
            CreatedAt = DateTimeOffset.UnixEpoch,
            SecretHash = new byte[32],
            SecretHint = "hint",
        }, TokenPrivilege.Normal, "app");
        var kept = token.GetOrAddState(static _ => new List<int>());

        var a = token.GetOrAddState(static _ => new Queue<int>());
        var b = token.GetOrAddState(static _ => new Queue<int>());

        Assert.AreNotSame(a, b);
        Assert.AreSame(kept, token.GetOrAddState(static _ => new List<int>()));
        Assert.ThrowsExactly<ArgumentNullException>(() => token.GetOrAddState<object>(null!));
    }

    [TestMethod]
    public async Task RacingFirstCalls_AllGetTheValueThatWasStored()
    {
        var token = new ValidatedApiToken("tok-1", TokenType.Account, "acme", null, TokenPrivilege.Normal, "app", [], DateTimeOffset.UnixEpoch, null);
        using var start = new ManualResetEventSlim();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.Wait(TestContext.CancellationToken);
            return token.GetOrAddState(static _ => new object());
        })).Concat([Task.Run(() => { start.Set(); return new object(); })]));

        Assert.AreEqual(1, results.Take(16).Distinct().Count());
    }
}
