using ApiTokens.Caching;

namespace ApiTokens.Tests.Caching;

// Cached entries share account, owner and app names, through a pool that app names from
// requests cannot grow without bound.
[TestClass]
public sealed class SharedStringsTests
{
    [TestMethod]
    public void EqualValues_ShareOneInstance()
    {
        var pool = new SharedStrings();
        var first = new string("acme".AsSpan());
        var second = new string("acme".AsSpan());

        Assert.AreNotSame(first, second);
        Assert.AreSame(first, pool.Share(first));
        Assert.AreSame(first, pool.Share(second));
        Assert.IsNull(pool.ShareOrNull(null));
    }

    [TestMethod]
    public void PastTheLimit_NewValuesAreNotKept()
    {
        var pool = new SharedStrings();
        for (var i = 0; i < SharedStrings.MaxCount + 100; i++)
        {
            pool.Share("app-" + i);
        }

        var late = new string("late-app".AsSpan());

        Assert.AreEqual(SharedStrings.MaxCount, pool.Count);
        Assert.AreSame(late, pool.Share(late));
        Assert.AreNotSame(late, pool.Share(new string("late-app".AsSpan())), "a value past the limit is handed back, not kept");
        Assert.AreEqual("app-0", pool.Share(new string("app-0".AsSpan())));
    }
}
