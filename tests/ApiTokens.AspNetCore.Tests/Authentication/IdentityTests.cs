using System.Net;
using System.Security.Claims;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Tests.Authentication;

// The shared identity builds its claims on their first read (the claims were most of a
// cached token's memory, and ApiTokens' own authorization never reads them).
[TestClass]
public sealed class IdentityTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Request_ThatReadsNoClaims_BuildsNone_AndOneThatReads_SeesThemAll()
    {
        var identities = new List<ClaimsIdentity>();
        await using var host = await ApiHost.StartAsync(o => o.Events.OnTokenValidated = c =>
        {
            lock (identities)
            {
                identities.Add(c.Principal!.Identities.Single(i => i is ApiTokenIdentity));
            }

            return Task.CompletedTask;
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, path: "/no-claims")).StatusCode, "first use: records the app, which drops the entry");
        identities.Clear();

        // Authentication, R16 authorization and the endpoint: nothing on the way reads a claim.
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, path: "/no-claims")).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, path: "/no-claims")).StatusCode);
        Assert.AreSame(identities[0], identities[1], "the identity is shared by the requests of one cached pair");
        Assert.IsFalse(((ApiTokenIdentity)identities[0]).ClaimsBuilt);

        var response = await host.GetAsync(token.Secret);
        var claims = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<Dictionary<string, string>>(response.Content, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreSame(identities[0], identities[2]);
        Assert.IsTrue(((ApiTokenIdentity)identities[0]).ClaimsBuilt);
        Assert.AreEqual(token.Details.Token.Id, claims![ApiTokenClaimTypes.TokenId]);
        Assert.AreEqual("bob", claims[ClaimTypes.NameIdentifier]);
        Assert.AreEqual("test-app", claims[ApiTokenClaimTypes.AppName]);
    }

    [TestMethod]
    public void EveryWayOfReadingClaims_SeesTheSameClaims()
    {
        var identity = new ApiTokenIdentity(new ValidatedApiToken(Token(ownerId: "bob"), TokenPrivilege.Normal, "app-1"), ApiTokenAuthenticationDefaults.AuthenticationScheme);
        Assert.IsFalse(identity.ClaimsBuilt);

        Assert.AreEqual("bob", identity.Name);
        Assert.IsTrue(identity.ClaimsBuilt);
        Assert.IsTrue(identity.IsAuthenticated);
        Assert.HasCount(8, identity.Claims);
        Assert.IsTrue(identity.Claims.All(c => ReferenceEquals(c.Subject, identity) && c.Issuer == "ApiTokens"));
        Assert.AreEqual("tok-1", identity.FindFirst(ApiTokenClaimTypes.TokenId)?.Value);
        Assert.AreEqual("tok-1", identity.FindFirst(c => c.Type == ApiTokenClaimTypes.TokenId)?.Value);
        Assert.AreEqual("Normal", identity.FindFirst(ApiTokenClaimTypes.Privilege.ToUpperInvariant())?.Value, "claim types compare case-insensitively, as ClaimsIdentity's do");
        Assert.HasCount(1, identity.FindAll(ApiTokenClaimTypes.AccountId));
        Assert.HasCount(2, identity.FindAll(c => c.Value == "bob" && c.Type != ClaimTypes.Name));
        Assert.IsTrue(identity.HasClaim(ApiTokenClaimTypes.AppName, "app-1"));
        Assert.IsFalse(identity.HasClaim(ApiTokenClaimTypes.AppName, "APP-1"), "values compare ordinally");
        Assert.IsTrue(identity.HasClaim(c => c.Type == ApiTokenClaimTypes.TokenType && c.Value == "User"));
        Assert.IsFalse(new ClaimsPrincipal(identity).IsInRole("Admin"));
        Assert.AreEqual("bob", new ClaimsPrincipal(identity).FindFirst(ClaimTypes.NameIdentifier)?.Value);
        Assert.IsTrue(((ICollection<Claim>)identity.Claims).IsReadOnly, "the shared claims cannot be changed through a cast");
        Assert.ThrowsExactly<InvalidOperationException>(() => identity.AddClaim(new Claim("x", "y")));

        // A copy is an ordinary identity with the same claims, and serializes them.
        var copy = identity.Clone();
        copy.AddClaim(new Claim("x", "y"));
        Assert.HasCount(9, copy.Claims);
        Assert.HasCount(8, identity.Claims);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            identity.WriteTo(writer);
        }

        buffer.Position = 0;
        using var reader = new BinaryReader(buffer);
        var read = new ClaimsIdentity(reader);
        CollectionAssert.AreEqual(identity.Claims.Select(c => c.Type + "=" + c.Value).ToList(), read.Claims.Select(c => c.Type + "=" + c.Value).ToList());
    }

    [TestMethod]
    public void AccountToken_IsNamedByItsId()
    {
        var identity = new ApiTokenIdentity(new ValidatedApiToken(Token(ownerId: null), TokenPrivilege.Admin, "app-1"), "scheme");

        Assert.AreEqual("token:tok-1", identity.Name);
        Assert.HasCount(6, identity.Claims);
        Assert.IsNull(identity.FindFirst(ClaimTypes.NameIdentifier));
    }

    private static ApiToken Token(string? ownerId) => new()
    {
        Id = "tok-1",
        Type = ownerId is null ? TokenType.Account : TokenType.User,
        AccountId = "acme",
        OwnerId = ownerId,
        CreatedBy = "alice",
        CreatedAt = DateTimeOffset.UnixEpoch,
        Privilege = TokenPrivilege.Normal,
        DefaultAppState = AppState.Allow,
        Apps = [],
        SecretHash = new byte[32],
        SecretHint = "hint",
    };
}
