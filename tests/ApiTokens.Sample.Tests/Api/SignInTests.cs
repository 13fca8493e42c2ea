using System.Text;

namespace ApiTokens.Sample.Tests.Api;

// The sample's demo sign-in and member administration read bodies the client describes with its
// Content-Type; a body that is not what it claims is the client's mistake: 400, never 500 (R29).
[TestClass]
[TestCategory("R29")]
public sealed class SignInTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("multipart/form-data; boundary=xyz", "not a multipart body")]
    [DataRow("multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"userName\"\r\n\r\nalice")]
    [DataRow("multipart/form-data", "")]
    [DataRow("application/json", "{\"userName\":\"\\ud800\"}")]
    [DataRow("application/json", "{\"userName\":5}")]
    [DataRow("application/json", "{\"userName\":")]
    [DataRow("application/json", "[]")]
    public async Task Login_MalformedBody_400(string contentType, string body)
    {
        await using var server = await SampleServer.StartAsync();
        using var client = server.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync("/login", content, TestContext.CancellationToken);

        await SampleServer.ProblemAsync(response, 400, "InvalidRequest");
        Assert.IsFalse(response.Headers.Contains("Set-Cookie"), "nobody signed in");
    }

    [TestMethod]
    [DataRow("{\"role\":\"\\ud800\"}")]
    [DataRow("{\"role\":[]}")]
    [DataRow("{\"role\":")]
    public async Task MemberRole_MalformedBody_400_AndTheRoleStays(string body)
    {
        await using var server = await SampleServer.StartAsync();
        using var alice = await server.SignInAsync("alice");
        var before = await alice.GetStringAsync("/api/members", TestContext.CancellationToken);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await alice.PutAsync("/api/members/bob", content, TestContext.CancellationToken);

        await SampleServer.ProblemAsync(response, 400, "InvalidRequest");
        StringAssert.Contains(before, "bob");
        Assert.AreEqual(before, await alice.GetStringAsync("/api/members", TestContext.CancellationToken), "no role changed");
    }
}
