using ApiTokens.Management;
using ApiTokens.Validation;

namespace ApiTokens.Tests.Validation;

// R11 (tightened) and R29: text that a person reads back cannot hide what it says.
[TestClass]
public sealed class TextRulesTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R11")]
    [DataRow("Terraform\u202E2.1v", DisplayName = "right-to-left override")]
    [DataRow("Terra\u200Bform", DisplayName = "zero-width space")]
    [DataRow("Terraform\u2028v1", DisplayName = "line separator")]
    [DataRow("Terraform\u2029v1", DisplayName = "paragraph separator")]
    [DataRow("\uFEFFTerraform", DisplayName = "zero-width no-break space")]
    [DataRow("Terraform\u2066x\u2069", DisplayName = "bidi isolates")]
    [DataRow("tag\U000E0041", DisplayName = "tag character (Cf, astral)")]
    public void IsValidAppName_InvisibleOrSeparatorCharacters_Invalid(string name)
        => Assert.IsFalse(ApiTokenValidator.IsValidAppName(name));

    [TestMethod]
    [TestCategory("R11")]
    public void IsValidAppName_LoneSurrogate_Invalid()
    {
        // Built here: test data rows would carry it through UTF-8 and turn it into U+FFFD.
        var name = "Terraform" + (char)0xD800;

        Assert.IsFalse(ApiTokenValidator.IsValidAppName(name));
        Assert.IsFalse(ApiTokenValidator.IsValidAppName((char)0xDC00 + "x"));
    }

    [TestMethod]
    [TestCategory("R11")]
    [DataRow("deploy 🚀")]
    [DataRow("Ünïcödé-app 名前")]
    [DataRow("cosi-install (linux; amd64)")]
    public void IsValidAppName_VisibleUnicodeAndPunctuation_Valid(string name)
        => Assert.IsTrue(ApiTokenValidator.IsValidAppName(name));

    [TestMethod]
    [TestCategory("R11")]
    public async Task Validate_AppNameWithBidiOverride_BadAppWithoutTouchingTheStore()
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();

        var result = await h.Validator.ValidateAsync(token.Secret, "Terraform\u202E", TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenValidationStatus.BadApp, result.Status);
        Assert.AreEqual(0, store.Calls);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task SetAppState_InvisibleCharacters_InvalidAppName()
    {
        using var h = Harness.Create();
        var token = await h.CreateAsync(Harness.Bob);

        var result = await h.Manager.SetAppStateAsync(Harness.Bob, token.Details.Token.Id, "Terra\u200Bform", AppState.Allow, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidAppName, result.Error?.Code);
    }

    [TestMethod]
    [TestCategory("R29")]
    [DataRow("a\u0000b")]
    [DataRow("bell\a")]
    [DataRow("right\u202Eleft")]
    [DataRow("zero\u200Bwidth")]
    public async Task CreateAndUpdate_DescriptionWithHiddenCharacters_InvalidRequest_NoStoreWrite(string description)
    {
        var store = new CountingStore();
        using var h = Harness.Create(wrapStore: s => store.Wrap(s));
        var token = await h.CreateAsync(Harness.Bob);
        store.Reset();

        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Description = description }, TestContext.CancellationToken);
        var updated = await h.Manager.UpdateAsync(Harness.Bob, token.Details.Token.Id, new UpdateApiTokenRequest { Description = description }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, created.Error?.Code);
        Assert.AreEqual(ApiTokenErrorCodes.InvalidRequest, updated.Error?.Code);
        Assert.AreEqual(0, store.Calls, "refused before any store sees it");
    }

    [TestMethod]
    [TestCategory("R29")]
    public async Task Create_DescriptionWithTabsAndNewlines_Accepted()
    {
        using var h = Harness.Create();

        var created = await h.Manager.CreateAsync(Harness.Bob, new CreateApiTokenRequest { Description = "deploys\tfrom CI\nsee runbook ✓" }, TestContext.CancellationToken);

        Assert.IsTrue(created.Succeeded, created.ToString());
    }
}
