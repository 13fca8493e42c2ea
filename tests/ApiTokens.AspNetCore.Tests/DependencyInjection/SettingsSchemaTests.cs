using System.Reflection;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.AspNetCore.LeakReports;
using ApiTokens.Webhooks;

namespace ApiTokens.AspNetCore.Tests.DependencyInjection;

// R43: each section's schema (written by hand: the packages are AOT-safe) names exactly the options
// its class has, so an option added later cannot be refused as a typo, nor a removed one accepted.
[TestClass]
public sealed class SettingsSchemaTests
{
    [TestMethod]
    [TestCategory("R43")]
    public void TheApiTokensSchema_NamesEveryOption()
        => AssertSame(ApiTokenOptionsConfiguration.Schema, typeof(ApiTokenOptions), except: ["ExpiryWarningThresholds"], subsections: ["Bootstrap", "Webhooks", "LeakReports", "Introspection", "ForwardAuth"]);

    [TestMethod]
    [TestCategory("R43")]
    public void TheBootstrapSchema_NamesEveryOption()
        => AssertSame(ApiTokenBootstrapConfiguration.Schema, typeof(ApiTokenBootstrapOptions), except: ["IsConfigured"]);

    [TestMethod]
    [TestCategory("R43")]
    public void TheWebhooksSchema_NamesEveryOption()
        => AssertSame(ApiTokenWebhookConfiguration.Schema, typeof(ApiTokenWebhookOptions), except: ["Schedule"]);

    [TestMethod]
    [TestCategory("R43")]
    public void TheLeakReportsSchema_NamesEveryOption()
        => AssertSame(Microsoft.Extensions.DependencyInjection.ApiTokenAuthenticationBuilderExtensions.LeakReportsSchema, typeof(ApiTokenLeakReportOptions), except: []);

    [TestMethod]
    [TestCategory("R43")]
    public void TheSchemeSchema_NamesEveryValueOption()
        => AssertSame(ApiTokenSchemeConfiguration.Schema, typeof(ApiTokenAuthenticationOptions), except: ["ClientKey", "Events", "EventsType", "ForwardDefaultSelector", "TimeProvider"]);

    private static void AssertSame(SettingsSchema schema, Type options, string[] except, string[]? subsections = null)
    {
        var properties = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(static p => p.Name)
            .Except(except)
            .Order(StringComparer.Ordinal)
            .ToArray();
        var named = schema.Settings
            .Where(static s => s.Kind != SettingKind.Elsewhere)
            .Select(static s => s.Name)
            .Order(StringComparer.Ordinal)
            .ToArray();

        CollectionAssert.AreEqual(properties, named, $"the schema of {options.Name} against its properties");
        CollectionAssert.AreEqual(
            (subsections ?? []).Order(StringComparer.Ordinal).ToArray(),
            schema.Settings.Where(static s => s.Kind == SettingKind.Elsewhere).Select(static s => s.Name).Order(StringComparer.Ordinal).ToArray());
    }
}
