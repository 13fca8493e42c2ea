using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore;

// The scheme's options from "Authentication:Schemes:<scheme>", where ASP.NET Core's own schemes read
// theirs (JwtBearer's "Authentication:Schemes:Bearer"), through the host's
// IAuthenticationConfigurationProvider; the code given to AddApiTokens(o => ...) runs after it. Only
// the settings that are values are read (the events and ClientKey are code); R43: the section is
// checked first, so a misspelled key stops the start naming the nearest one.
internal sealed class ApiTokenSchemeConfiguration(IServiceProvider services) : IConfigureNamedOptions<ApiTokenAuthenticationOptions>
{
    internal static readonly SettingsSchema Schema = new SettingsSchema()
        .Text(nameof(ApiTokenAuthenticationOptions.TokenHeaderName))
        .Text(nameof(ApiTokenAuthenticationOptions.AppNameHeaderName))
        .Boolean(nameof(ApiTokenAuthenticationOptions.AllowBasicAuthorization))
        .Boolean(nameof(ApiTokenAuthenticationOptions.AllowBearerAuthorization))
        .Text(nameof(ApiTokenAuthenticationOptions.DefaultAppName))
        .Text(nameof(ApiTokenAuthenticationOptions.Realm))
        .Text(nameof(ApiTokenAuthenticationOptions.PendingAppHint))
        .Text(nameof(ApiTokenAuthenticationOptions.ClaimsIssuer))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardDefault))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardAuthenticate))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardChallenge))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardForbid))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardSignIn))
        .Text(nameof(ApiTokenAuthenticationOptions.ForwardSignOut));

    public void Configure(ApiTokenAuthenticationOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, ApiTokenAuthenticationOptions options)
    {
        if (string.IsNullOrEmpty(name) || services.GetService(typeof(IAuthenticationConfigurationProvider)) is not IAuthenticationConfigurationProvider provider)
        {
            return;
        }

        var section = provider.AuthenticationConfiguration.GetSection($"Schemes:{name}");
        if (!section.GetChildren().Any())
        {
            return;
        }

        Schema.ThrowIfInvalid<ApiTokenAuthenticationOptions>(section);
        options.TokenHeaderName = section[nameof(options.TokenHeaderName)] ?? options.TokenHeaderName;
        options.AppNameHeaderName = section[nameof(options.AppNameHeaderName)] ?? options.AppNameHeaderName;
        options.AllowBasicAuthorization = Flag(section, nameof(options.AllowBasicAuthorization)) ?? options.AllowBasicAuthorization;
        options.AllowBearerAuthorization = Flag(section, nameof(options.AllowBearerAuthorization)) ?? options.AllowBearerAuthorization;
        options.DefaultAppName = section[nameof(options.DefaultAppName)] ?? options.DefaultAppName;
        options.Realm = section[nameof(options.Realm)] ?? options.Realm;
        options.PendingAppHint = section[nameof(options.PendingAppHint)] ?? options.PendingAppHint;
        options.ClaimsIssuer = section[nameof(options.ClaimsIssuer)] ?? options.ClaimsIssuer;
        options.ForwardDefault = section[nameof(options.ForwardDefault)] ?? options.ForwardDefault;
        options.ForwardAuthenticate = section[nameof(options.ForwardAuthenticate)] ?? options.ForwardAuthenticate;
        options.ForwardChallenge = section[nameof(options.ForwardChallenge)] ?? options.ForwardChallenge;
        options.ForwardForbid = section[nameof(options.ForwardForbid)] ?? options.ForwardForbid;
        options.ForwardSignIn = section[nameof(options.ForwardSignIn)] ?? options.ForwardSignIn;
        options.ForwardSignOut = section[nameof(options.ForwardSignOut)] ?? options.ForwardSignOut;
    }

    private static bool? Flag(IConfigurationSection section, string key) => section[key] is { Length: > 0 } value ? bool.Parse(value) : null;
}
