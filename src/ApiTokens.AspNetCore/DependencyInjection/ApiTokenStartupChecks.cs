using ApiTokens.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.AspNetCore;

// What the endpoint extensions need from the host, checked when they are called (at start-up), so a
// missing call is named in every environment instead of surfacing as DI's "Unable to resolve
// service" or the authentication middleware's error on the first request.
internal static partial class ApiTokenStartupChecks
{
    public static void ThrowIfSchemeMissing(IServiceProvider services, string caller)
    {
        if (services.GetService<ApiTokenIdentities>() is null)
        {
            throw new InvalidOperationException(
                $"{caller} needs the ApiTokens authentication scheme, which is not registered. Add builder.Services.AddAuthentication().AddApiTokens() "
                + "(or .AddApiTokens() on the AuthenticationBuilder you already have) before builder.Build(); docs/troubleshooting.md lists the other start-up errors.");
        }
    }

    // The management API acts for the user the host's own scheme signed in (R5): with no scheme but
    // ApiTokens, every management request would be a 401, which looks like a bug in the library.
    public static void WarnIfNoSignInScheme(IServiceProvider services)
    {
        var schemes = services.GetRequiredService<IAuthenticationSchemeProvider>();
        var all = schemes.GetAllSchemesAsync().GetAwaiter().GetResult();
        if (all.All(s => typeof(ApiTokenAuthenticationHandler).IsAssignableFrom(s.HandlerType)))
        {
            NoSignInScheme(services.GetRequiredService<ILoggerFactory>().CreateLogger("ApiTokens.AspNetCore.Endpoints"));
        }
    }

    [LoggerMessage(40, LogLevel.Warning, "MapApiTokens: no authentication scheme signs users in (only ApiTokens is registered), so every management request will be answered 401. Add the scheme your users sign in with, for example .AddCookie() on AddAuthentication(), and make it the default; see docs/troubleshooting.md.")]
    private static partial void NoSignInScheme(ILogger logger);
}
