using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ApiTokens;

// ApiTokenOptions from the host's configuration, as ASP.NET Core's own schemes read
// Authentication:Schemes:<name>: the "ApiTokens" section (appsettings.json, ApiTokens__* environment
// variables, command-line --ApiTokens:...) is bound first, and configuration in code
// (AddApiTokens(o => ...), services.Configure<ApiTokenOptions>) applied after it. A value that does
// not convert stops the host at start with the key in the message ("Failed to convert configuration
// value 'x' at 'ApiTokens:CacheLifetime' to type 'System.TimeSpan'" — no option of this section is a
// secret); one out of range fails ApiTokenOptionsValidator; a host without IConfiguration
// (a plain ServiceCollection) binds nothing. A reload of the section reaches IOptionsMonitor.
internal sealed class ApiTokenOptionsConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenOptions>, IOptionsChangeTokenSource<ApiTokenOptions>
{
    public const string SectionName = "ApiTokens";

    // Without IConfiguration there is nothing to reload.
    private static readonly IChangeToken s_never = new CancellationChangeToken(CancellationToken.None);

    public string Name => Options.DefaultName;

    public void Configure(ApiTokenOptions options)
    {
        if (Section() is { } section)
        {
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
