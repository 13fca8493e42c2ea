using System.Security.Cryptography;
using System.Text;
using ApiTokens.Auditing;
using ApiTokens.Management;
using ApiTokens.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.Tests.Management;

[TestClass]
[TestCategory("R36")]
public sealed class ImportTests
{
    private const string CirconusUuid = "3f2a8c4e-9b1d-4e7a-8f6c-2d5b7a9e1c30";

    public TestContext TestContext { get; set; } = null!;

    private static string Sha256Hex(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    [TestMethod]
    public async Task Import_PlainUuid_AuthenticatesWithItsOwnSecret_AndNeverReturnsIt()
    {
        using var h = Harness.Create();

        var result = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.Account, Privilege = TokenPrivilege.Normal, DefaultAppState = AppState.Allow }, TestContext.CancellationToken);

        Assert.IsTrue(result.Succeeded, result.ToString());
        var token = result.Value.Token;
        Assert.AreEqual("****1c30", token.SecretHint);
        Assert.AreEqual("alice", token.CreatedBy);
        var validation = await h.Validator.ValidateAsync(CirconusUuid, "cosi", TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenValidationStatus.Success, validation.Status);
        Assert.AreEqual(token.Id, validation.Token!.TokenId);
        var audit = await h.Store.ListAuditAsync("acme", token.Id, null, 10, TestContext.CancellationToken);
        Assert.AreEqual(ApiTokenAuditActions.Imported, audit.Records[^1].Action);
        Assert.IsFalse(h.Logs.GetSnapshot().Any(l => l.Message.Contains(CirconusUuid, StringComparison.Ordinal)), "the secret is never logged");
    }

    [TestMethod]
    public async Task Import_BySha256_TheSecretAuthenticates_AndTheHintRevealsNothing()
    {
        using var h = Harness.Create();
        const string secret = "legacy-key_0123456789ABCDEF";

        var result = await h.Manager.ImportAsync(Harness.Alice, new() { SecretSha256 = Sha256Hex(secret), Type = TokenType.User, OwnerId = "bob", DefaultAppState = AppState.Allow }, TestContext.CancellationToken);

        Assert.IsTrue(result.Succeeded, result.ToString());
        Assert.AreEqual("bob", result.Value.Token.OwnerId);
        Assert.AreEqual("sha256:****", result.Value.Token.SecretHint);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "ci", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    public async Task Import_OwnFormat_KeepsItsPrefixedHint_AndAWrongChecksumIsRefused()
    {
        using var h = Harness.Create();
        var secret = h.Secrets.Generate();
        var typo = secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a');

        var bad = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = typo, Type = TokenType.Account }, TestContext.CancellationToken);
        var good = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = secret, Type = TokenType.Account }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidSecret, bad.Error?.Code);
        Assert.IsTrue(good.Succeeded);
        Assert.StartsWith("apt_****", good.Value.Token.SecretHint);
    }

    [TestMethod]
    [DataRow(null, null, "InvalidRequest", DisplayName = "neither form")]
    [DataRow(CirconusUuid, "ab", "InvalidRequest", DisplayName = "both forms")]
    [DataRow("short-secret", null, "InvalidSecret", DisplayName = "15 characters")]
    [DataRow("has a space in it!", null, "InvalidSecret", DisplayName = "a space")]
    [DataRow("ключ-ключ-ключ-ключ", null, "InvalidSecret", DisplayName = "not ASCII")]
    [DataRow(null, "ABCDEF", "InvalidSecret", DisplayName = "short hash")]
    [DataRow(null, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "InvalidSecret", DisplayName = "upper-case hash")]
    public async Task Import_BadSecret_400AndNothingStored(string? secret, string? sha256, string code)
    {
        using var h = Harness.Create();

        var result = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = secret, SecretSha256 = sha256, Type = TokenType.Account }, TestContext.CancellationToken);

        Assert.AreEqual(code, result.Error?.Code);
        Assert.AreEqual(ApiTokenErrorKind.Invalid, result.Error?.Kind);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    public async Task Import_LongestAllowedSecret_256Characters_Works()
    {
        using var h = Harness.Create();
        var secret = new string('k', 256);

        var result = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = secret, Type = TokenType.Account, DefaultAppState = AppState.Allow }, TestContext.CancellationToken);
        var tooLong = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = secret + "k", Type = TokenType.Account }, TestContext.CancellationToken);

        Assert.IsTrue(result.Succeeded);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(secret, "app", TestContext.CancellationToken)).Status);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidSecret, tooLong.Error?.Code);
    }

    [TestMethod]
    public async Task Import_ByNonAdmin_Forbidden_AndANonMemberOwner_Refused()
    {
        using var h = Harness.Create();

        var byBob = await h.Manager.ImportAsync(Harness.Bob, new() { Secret = CirconusUuid, Type = TokenType.User }, TestContext.CancellationToken);
        var forStranger = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.User, OwnerId = "dave" }, TestContext.CancellationToken);
        var accountWithOwner = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.Account, OwnerId = "bob" }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.ImportRequiresAdmin, byBob.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidOwner, forStranger.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, accountWithOwner.Error?.Code);
        Assert.AreEqual(0, h.Store.Count);
    }

    [TestMethod]
    [TestCategory("R4")]
    public async Task Import_UserTokenAboveItsOwnersRole_RefusedAsItsCreationWouldBe_NothingStored()
    {
        using var h = Harness.Create();

        var above = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.User, OwnerId = "bob", Privilege = TokenPrivilege.Admin }, TestContext.CancellationToken);
        Assert.AreEqual(0, h.Store.Count, "nothing stored");
        var atRole = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.User, OwnerId = "bob", Privilege = TokenPrivilege.Normal }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.PrivilegeExceedsRole, above.Error?.Code, "bob is Normal: his token cannot be Admin (R4)");
        Assert.AreEqual(ApiTokenErrorKind.Forbidden, above.Error?.Kind);
        Assert.IsTrue(atRole.Succeeded);
        Assert.AreEqual(TokenPrivilege.Normal, atRole.Value.Token.Privilege);
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task Import_CountsAgainstTheQuota()
    {
        using var h = Harness.Create(o => o.MaxActiveAccountTokens = 1);
        await h.CreateAsync(Harness.Alice, TokenType.Account);

        var result = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = CirconusUuid, Type = TokenType.Account }, TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.TooManyTokens, result.Error?.Code);
        Assert.AreEqual(1, h.Store.Count);
    }

    [TestMethod]
    public async Task Import_ASecretAnotherAccountsTokenHas_RefusedWithoutSayingWhose()
    {
        using var h = Harness.Create();
        var daves = await h.CreateAsync(Harness.Dave, TokenType.Account);

        var plain = await h.Manager.ImportAsync(Harness.Alice, new() { Secret = daves.Secret, Type = TokenType.Account }, TestContext.CancellationToken);
        var hashed = await h.Manager.ImportAsync(Harness.Alice, new() { SecretSha256 = Sha256Hex(daves.Secret), Type = TokenType.Account }, TestContext.CancellationToken);

        foreach (var refused in new[] { plain, hashed })
        {
            Assert.AreEqual(ApiTokenErrorCodes.SecretAlreadyExists, refused.Error?.Code);
            Assert.AreEqual(ApiTokenErrorKind.Conflict, refused.Error?.Kind);
            Assert.DoesNotContain(daves.Details.Token.Id, refused.Error!.Description);
            Assert.DoesNotContain("globex", refused.Error!.Description);
        }

        Assert.AreEqual(1, h.Store.Count);
    }

    [TestMethod]
    public async Task Bootstrap_CreatesOnce_AuditedAsBootstrap_AndARestartFindsIt()
    {
        using var h = Harness.Create();
        var bootstrap = new ApiTokenBootstrapOptions { AccountId = "acme", Secret = CirconusUuid, Privilege = TokenPrivilege.Admin, Description = "first token" };

        var first = await h.Manager.EnsureBootstrapTokenAsync(bootstrap, TestContext.CancellationToken);
        var again = await h.Manager.EnsureBootstrapTokenAsync(bootstrap, TestContext.CancellationToken);

        Assert.IsTrue(first.Created);
        Assert.IsFalse(again.Created);
        Assert.AreEqual(first.TokenId, again.TokenId);
        Assert.AreEqual(1, h.Store.Count);
        var token = (await h.Store.FindByIdAsync(first.TokenId!, TestContext.CancellationToken))!;
        Assert.AreEqual(TokenType.Account, token.Type);
        Assert.AreEqual(TokenPrivilege.Admin, token.Privilege);
        Assert.AreEqual(AppState.Allow, token.DefaultAppState, "no page to approve the first app on");
        var audit = await h.Store.ListAuditAsync("acme", token.Id, null, 10, TestContext.CancellationToken);
        Assert.AreEqual("bootstrap", audit.Records.Single().Actor);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(CirconusUuid, "deploy", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    public async Task Bootstrap_ManyAtOnce_CreateExactlyOne()
    {
        using var h = Harness.Create();
        var bootstrap = new ApiTokenBootstrapOptions { AccountId = "acme", SecretSha256 = Sha256Hex(CirconusUuid) };

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await using var scope = h.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ApiTokenManager>().EnsureBootstrapTokenAsync(bootstrap, TestContext.CancellationToken);
        })));

        Assert.AreEqual(1, results.Count(r => r.Created));
        Assert.AreEqual(1, results.Select(r => r.TokenId).Distinct().Count());
        Assert.AreEqual(1, h.Store.Count);
    }

    [TestMethod]
    public async Task Bootstrap_Retired_IsNotBroughtBack()
    {
        using var h = Harness.Create();
        var bootstrap = new ApiTokenBootstrapOptions { AccountId = "acme", Secret = CirconusUuid };
        var first = await h.Manager.EnsureBootstrapTokenAsync(bootstrap, TestContext.CancellationToken);
        Assert.IsTrue((await h.Manager.RetireAsync(Harness.Alice, first.TokenId!, cancellationToken: TestContext.CancellationToken)).Succeeded);

        var after = await h.Manager.EnsureBootstrapTokenAsync(bootstrap, TestContext.CancellationToken);

        Assert.IsTrue(after.Retired);
        Assert.AreEqual(1, h.Store.Count);
        Assert.AreEqual(ApiTokenValidationStatus.BadToken, (await h.Validator.ValidateAsync(CirconusUuid, "deploy", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    public async Task Bootstrap_SecretOfAnotherAccountsToken_StopsWithAMessageThatNamesTheSection()
    {
        using var h = Harness.Create();
        var daves = await h.CreateAsync(Harness.Dave, TokenType.Account);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Manager.EnsureBootstrapTokenAsync(new() { AccountId = "acme", Secret = daves.Secret }, TestContext.CancellationToken));

        Assert.Contains("ApiTokens:Bootstrap", error.Message);
        Assert.DoesNotContain(daves.Secret, error.Message);
        Assert.AreEqual(1, h.Store.Count);
    }

    [TestMethod]
    [DataRow("", CirconusUuid, null, "ApiTokens:Bootstrap:AccountId", DisplayName = "no account")]
    [DataRow("acme", null, null, "exactly one of Secret and SecretSha256", DisplayName = "no secret")]
    [DataRow("acme", "too-short", null, "ApiTokens:Bootstrap:Secret", DisplayName = "short secret")]
    [DataRow("acme", null, "xyz", "ApiTokens:Bootstrap:SecretSha256", DisplayName = "bad hash")]
    public async Task Bootstrap_BadConfiguration_StopsTheHostNamingTheKey_WithoutTheSecret(string account, string? secret, string? sha256, string expected)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ApiTokens:Bootstrap:AccountId"] = account,
                ["ApiTokens:Bootstrap:Secret"] = secret,
                ["ApiTokens:Bootstrap:SecretSha256"] = sha256,
            })
            .Build());
        services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership(_ => { });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ApiTokenBootstrapOptions>>().Value);

        Assert.Contains(expected, error.Message);
        if (secret is not null)
        {
            Assert.DoesNotContain(secret, error.Message);
        }
    }

    [TestMethod]
    public async Task Bootstrap_FromConfiguration_TheHostCreatesItBeforeServing()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ApiTokens:Bootstrap:AccountId"] = "acme";
        builder.Configuration["ApiTokens:Bootstrap:Secret"] = CirconusUuid;
        builder.Configuration["ApiTokens:Bootstrap:Privilege"] = "Normal";
        builder.Logging.ClearProviders();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
        using var host = builder.Build();

        await host.StartAsync(TestContext.CancellationToken);
        var validator = host.Services.GetRequiredService<ApiTokenValidator>();
        var result = await validator.ValidateAsync(CirconusUuid, "deploy", TestContext.CancellationToken);
        await host.StopAsync(TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.Success, result.Status);
        Assert.AreEqual(TokenPrivilege.Normal, result.Token!.EffectivePrivilege);
    }
}
