using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ApiTokens;

// ApiTokenOptions from the host's configuration, as ASP.NET Core's own schemes read
// Authentication:Schemes:<name>: the "ApiTokens" section (appsettings.json, ApiTokens__* environment
// variables, command-line --ApiTokens:...) is bound first, and configuration in code
// (AddApiTokens(o => ...), services.Configure<ApiTokenOptions>) applied after it. R43: the section is
// checked against Schema before it is bound — a key no option has, or a value that does not convert,
// stops the host at start naming the key, the value and the form (no option of this section is a
// secret); one out of range fails ApiTokenOptionsValidator; a host without IConfiguration (a plain
// ServiceCollection) binds nothing. A reload of the section reaches IOptionsMonitor.
internal sealed class ApiTokenOptionsConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenOptions>, IOptionsChangeTokenSource<ApiTokenOptions>
{
    public const string SectionName = "ApiTokens";

    // Without IConfiguration there is nothing to reload.
    private static readonly IChangeToken s_never = new CancellationChangeToken(CancellationToken.None);

    // Every key of the section; the subsections other options classes bind and check are named too,
    // so a misspelled "Bootsrap" is caught here and pointed at "Bootstrap".
    internal static readonly SettingsSchema Schema = new SettingsSchema()
        .Choice<AppState>(nameof(ApiTokenOptions.DefaultAppState))
        .Integer(nameof(ApiTokenOptions.MaxAppsPerToken))
        .Choice<Secrets.ApiTokenSecretFormat>(nameof(ApiTokenOptions.SecretFormat))
        .Text(nameof(ApiTokenOptions.SecretPrefix))
        .Duration(nameof(ApiTokenOptions.CacheLifetime))
        .Long(nameof(ApiTokenOptions.CacheSizeLimit))
        .Duration(nameof(ApiTokenOptions.StoreRetryAfter))
        .Duration(nameof(ApiTokenOptions.DegradedCacheLifetime))
        .Duration(nameof(ApiTokenOptions.StoreTimeout))
        .Integer(nameof(ApiTokenOptions.MaxActiveTokensPerUser))
        .Integer(nameof(ApiTokenOptions.MaxActiveAccountTokens))
        .Integer(nameof(ApiTokenOptions.FailureLimit))
        .Duration(nameof(ApiTokenOptions.FailureWindow))
        .Duration(nameof(ApiTokenOptions.DefaultLifetime), optional: true)
        .Duration(nameof(ApiTokenOptions.MaxLifetime), optional: true)
        .Duration(nameof(ApiTokenOptions.RotationGracePeriod))
        .Duration(nameof(ApiTokenOptions.MaxRotationGracePeriod))
        .Duration(nameof(ApiTokenOptions.LastUsedGranularity))
        .Section(nameof(ApiTokenOptions.DefaultRateLimit), new SettingsSchema()
            .Integer(nameof(ApiTokenRateLimit.Limit))
            .Integer(nameof(ApiTokenRateLimit.WindowSeconds)))
        .Duration(nameof(ApiTokenOptions.UsageRetention))
        .Boolean(nameof(ApiTokenOptions.CountUsage))
        .Map(nameof(ApiTokenOptions.Scopes))
        .Boolean(nameof(ApiTokenOptions.RequireScopeForScopedTokens))
        .List(nameof(ApiTokenOptions.ExpiryWarnings), Setting.Item(SettingKind.Duration))
        .Duration(nameof(ApiTokenOptions.UnusedWarningAfter))
        .Duration(nameof(ApiTokenOptions.RetireUnusedAfter), optional: true)
        .Duration(nameof(ApiTokenOptions.LifecycleSweepInterval))
        .Boolean(nameof(ApiTokenOptions.RetireOnPreviousSecretReuse))
        .Integer(nameof(ApiTokenOptions.WarmUpTokens))
        .Elsewhere("Bootstrap")
        .Elsewhere("Webhooks")
        .Elsewhere("LeakReports")
        .Elsewhere("Introspection")
        .Elsewhere("ForwardAuth");

    public string Name => Options.DefaultName;

    public void Configure(ApiTokenOptions options)
    {
        if (Section() is { } section)
        {
            Schema.ThrowIfInvalid<ApiTokenOptions>(section);
            section.Bind(options);

            // Scope names hold a colon, which configuration reads as a path: "annotation:read" arrives as
            // the key "read" under "annotation". The leaves below "Scopes" are the declared scopes.
            foreach (var (key, value) in section.GetSection(nameof(ApiTokenOptions.Scopes)).AsEnumerable(makePathsRelative: true))
            {
                if (value is not null)
                {
                    options.Scopes[key] = value;
                }
            }
        }
    }

    public IChangeToken GetChangeToken() => Section()?.GetReloadToken() ?? s_never;

    private IConfigurationSection? Section() => services.GetService<IConfiguration>()?.GetSection(SectionName);
}
