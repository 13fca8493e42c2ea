using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ApiTokens.Secrets;
using ApiTokens.Validation;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Tests.Secrets;

[TestClass]
[TestCategory("R17")]
public sealed class SecretTests
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Secret_DefaultFormat_PrefixedBase62WithAtLeast256BitsAndChecksum()
    {
        using var h = Harness.Create();

        var secret = (await h.CreateAsync(Harness.Bob)).Secret;

        StringAssert.StartsWith(secret, "apt_");
        Assert.AreEqual(4 + 43 + 6, secret.Length);
        Assert.IsTrue(secret[4..].All(c => Base62.Contains(c, StringComparison.Ordinal)));
        Assert.IsGreaterThanOrEqualTo(256.0, 43 * Math.Log2(62), "43 base62 digits hold the 256 random bits");
        var crc = System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes(secret[..^6]));
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        Assert.AreEqual(SimpleBase.Base62.Default.Encode(crcBytes).PadLeft(6, '0'), secret[^6..]);
    }

    [TestMethod]
    public async Task Secret_ConfiguredPrefix_Used()
    {
        using var h = Harness.Create(o => o.SecretPrefix = "circ");

        var created = await h.CreateAsync(Harness.Bob);

        StringAssert.StartsWith(created.Secret, "circ_");
        Assert.AreEqual("circ_****" + created.Secret[^4..], created.Details.Token.SecretHint);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(created.Secret, "a", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    public async Task Secrets_AreDistinct()
    {
        using var h = Harness.Create(o => o.MaxActiveTokensPerUser = 200);
        var secrets = new HashSet<string>();

        for (var i = 0; i < 200; i++)
        {
            secrets.Add((await h.CreateAsync(Harness.Bob)).Secret);
        }

        Assert.HasCount(200, secrets);
    }

    [TestMethod]
    public async Task Checksum_RejectsEveryOneCharacterTypo()
    {
        using var h = Harness.Create();
        var secret = (await h.CreateAsync(Harness.Bob)).Secret;

        for (var i = 4; i < secret.Length; i++)
        {
            var replacement = secret[i] == 'Q' ? 'R' : 'Q';
            var typo = string.Concat(secret.AsSpan(0, i), replacement.ToString(), secret.AsSpan(i + 1));
            Assert.IsFalse(h.Secrets.IsWellFormed(typo), $"typo at {i}");
        }

        Assert.IsTrue(h.Secrets.IsWellFormed(secret));
    }

    [TestMethod]
    public void ChecksumDecoder_AgreesWithSimpleBase()
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var value in new uint[] { 0, 1, 61, 62, 3_843, 0x7FFF_FFFF, uint.MaxValue, (uint)RandomNumberGenerator.GetInt32(int.MaxValue) })
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            var encoded = SimpleBase.Base62.Default.Encode(bytes).PadLeft(6, '0');
            Assert.AreEqual(value, ApiTokenSecretCodec.DecodeChecksum(encoded), encoded);
        }
    }

    [TestMethod]
    public async Task UuidFormat_GeneratesVersion4UuidAndValidates()
    {
        using var h = Harness.Create(o => o.SecretFormat = ApiTokenSecretFormat.Uuid);

        var created = await h.CreateAsync(Harness.Bob);

        Assert.IsTrue(Guid.TryParseExact(created.Secret, "D", out var guid));
        Assert.AreEqual(4, guid.Version);
        Assert.AreEqual("****" + created.Secret[^4..], created.Details.Token.SecretHint);
        Assert.AreEqual(ApiTokenValidationStatus.Success, (await h.Validator.ValidateAsync(created.Secret, "a", TestContext.CancellationToken)).Status);
    }

    [TestMethod]
    public async Task Store_HoldsOnlyTheSha256HashOfTheSecret()
    {
        using var h = Harness.Create();
        var created = await h.CreateAsync(Harness.Bob, description: "d");

        var stored = await h.Store.FindByIdAsync(created.Details.Token.Id, TestContext.CancellationToken);

        CollectionAssert.AreEqual(SHA256.HashData(Encoding.UTF8.GetBytes(created.Secret)), stored!.SecretHash);
        foreach (var property in typeof(ApiToken).GetProperties())
        {
            if (property.GetValue(stored) is string text)
            {
                Assert.DoesNotContain(created.Secret, text, property.Name);
                Assert.DoesNotContain(created.Secret[4..^4], text, property.Name);
            }
        }
    }

    [TestMethod]
    public async Task ToString_NeverShowsSecretOrHash()
    {
        using var h = Harness.Create();
        var created = await h.CreateAsync(Harness.Bob);
        var hashHex = Convert.ToHexString(created.Details.Token.SecretHash);
        var hashBase64 = Convert.ToBase64String(created.Details.Token.SecretHash);

        foreach (var text in new[] { created.ToString(), created.Details.ToString(), created.Details.Token.ToString() })
        {
            Assert.DoesNotContain(created.Secret, text);
            Assert.DoesNotContain(hashHex, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(hashBase64, text);
            Assert.DoesNotContain("System.Byte[]", text);
        }

        StringAssert.Contains(created.ToString(), created.Details.Token.Id);
    }

    [TestMethod]
    public async Task Logs_NeverShowSecretOrHash()
    {
        using var h = Harness.Create();
        var created = await h.CreateAsync(Harness.Bob, defaultAppState: AppState.Pending);
        await h.Validator.ValidateAsync(created.Secret, "app", TestContext.CancellationToken);
        await h.Manager.RetireAsync(Harness.Bob, created.Details.Token.Id, cancellationToken: TestContext.CancellationToken);
        await h.Validator.ValidateAsync(created.Secret, "app", TestContext.CancellationToken);

        var logs = h.Logs.GetSnapshot();
        Assert.IsNotEmpty(logs);
        foreach (var record in logs)
        {
            var text = record.Message + " " + record.Exception;
            Assert.DoesNotContain(created.Secret[4..^6], text);
            Assert.DoesNotContain(Convert.ToHexString(created.Details.Token.SecretHash), text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.IsTrue(logs.Any(r => r.Level == LogLevel.Information && r.Message.Contains(created.Details.Token.Id, StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Options_InvalidPrefixOrLimits_FailValidation()
    {
        var validator = new ApiTokenOptionsValidator();

        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions()).Succeeded);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { SecretPrefix = "a_b" }).Failed);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { SecretPrefix = "" }).Failed);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { SecretPrefix = new string('a', 17) }).Failed);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { MaxAppsPerToken = 0 }).Failed);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { DefaultAppState = (AppState)5 }).Failed);
        Assert.IsTrue(validator.Validate(null, new ApiTokenOptions { SecretFormat = (ApiTokenSecretFormat)5 }).Failed);
    }
}
