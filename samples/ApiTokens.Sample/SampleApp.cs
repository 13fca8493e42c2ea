using ApiTokens.Sample.Demo;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;
using OpenTelemetry.Metrics;

namespace ApiTokens.Sample;

// The sample service of the sample (docs/sample.md), built so tests can start it on a free port in-process.
public static class SampleApp
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // --verbose (a flag without a value) turns request and SQL logs on.
        var verbose = args.Contains("--verbose", StringComparer.OrdinalIgnoreCase);
        args = [.. args.Where(a => !a.Equals("--verbose", StringComparison.OrdinalIgnoreCase))];

        // appsettings.json beside the binary, whatever directory the sample is started from (the
        // data directory stays the current one).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Quiet by default: warnings and the start banner (printed to the console, not logged).
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        if (verbose)
        {
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information);
        }

        // Every ApiTokenOptions property comes from the "ApiTokens" section — appsettings.json, environment
        // variables (ApiTokens__MaxLifetime=90.00:00:00) or the command line (--ApiTokens:MaxLifetime=...) —
        // as AddApiTokens() binds it for every host.

        var store = SampleStore.Configure(builder);

        // R42: the scopes a token of this service may be narrowed to; the Circonus-shaped API requires them
        // of scoped tokens (CirconusApiEndpoints), the page offers them.
        builder.Services.Configure<ApiTokenOptions>(o =>
        {
            o.Scopes["annotation:read"] = "Read annotations";
            o.Scopes["annotation:write"] = "Create and delete annotations";
            o.Scopes["account:read"] = "Read the account and its members";
            o.Scopes["account:write"] = "Change the account's description (Admin tokens)";
            o.Scopes["user:read"] = "Read users: the token's owner and the account's members";
        });

        // Operations (docs/sample.md): /healthz asks the token store; /metrics is the ApiTokens meter (R25)
        // in Prometheus text through OpenTelemetry, beside the runtime's own meter (GC collections and
        // pause time, thread pool, CPU): what an operator reads a latency spike against.
        builder.Services.AddHealthChecks().AddApiTokenStore().AddApiTokenWarmUp();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ApiTokens.Diagnostics.ApiTokensTelemetry.MeterName)
            .AddMeter("System.Runtime")
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));   // every scrape reads the counters now

        builder.Services.AddSingleton<AnnotationBoard>();
        builder.Services.AddSingleton<LeakNotices>();
        // Every error is problem+json with the fields Circonus clients read (code, message, reference),
        // including routing's bare 404/405 (UseStatusCodePages below writes them through this service).
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = SampleProblems.AddCirconusFields);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "apitokens.sample";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;   // the demo's CSRF defence for its cookie-authenticated POSTs
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnRedirectToLogin = c =>
                {
                    c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = c =>
                {
                    c.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            })
            .AddApiTokens();
        builder.Services.AddAuthorization();

        // API reference: the OpenAPI document at /openapi/v1.json, with the ApiTokens scheme's ways to send a
        // token as security schemes (options.AddApiTokens()), and Swagger UI at /reference to try it.
        builder.Services.AddOpenApi(o => o.AddApiTokens().AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ApiTokens sample";
            document.Info.Description = "The token management API (sign in on the API Tokens page first) and a Circonus-shaped API that takes API tokens: "
                + "under Authorize, paste a token into ApiTokens and an app name into ApiTokens.AppName.";
            return Task.CompletedTask;
        }));
        configure?.Invoke(builder);

        var app = builder.Build();
        SampleStore.Migrate(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
            return next(context);
        });

        var page = new EmbeddedFileProvider(typeof(SampleApp).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = page });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = page });

        // The API reference (Swagger UI from NuGet) at /reference, on the document at /openapi/v1.json: paste a
        // token and an app name under "Authorize" and try the API. Its stylesheet draws icons from data: URLs.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/reference"), reference => reference.Use(static (context, next) =>
        {
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";
            return next(context);
        }));
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "reference";
            o.DocumentTitle = "API reference · ApiTokens sample";
            o.SwaggerEndpoint("/openapi/v1.json", "ApiTokens sample");
            o.EnableTryItOutByDefault();
            o.DisplayOperationId();
            o.InjectStylesheet("/reference.css");    // contrast to WCAG 2.1 AA
            o.InjectJavascript("/reference.js");     // a name for the server chooser
        });

        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthChecks("/healthz", new() { Predicate = static c => !c.Tags.Contains("ready") });
        app.MapHealthChecks("/healthz/ready", new() { Predicate = static c => c.Tags.Contains("ready") });   // after the warm-up
        app.MapPrometheusScrapingEndpoint("/metrics");

        // The demo's sign-in and the page's own endpoints stay out of the API reference, which describes
        // the token management API and the Circonus-shaped API.
        var demo = app.MapGroup(string.Empty).ExcludeFromDescription();
        demo.MapDemoSignIn();
        demo.MapGet("/api/token-settings", static (HttpContext context, Microsoft.Extensions.Options.IOptions<ApiTokenOptions> options) => TokenSettings(context, options.Value));
        demo.MapMembers();
        demo.MapLeakNotices();
        app.MapApiTokens("/api/tokens");
        app.MapApiTokenLeakReports("/api/tokens/leaks");   // POST /api/tokens/leaks/github (R31)
        app.MapApiTokenWebhooks("/api/webhooks");          // the account's webhook endpoints (R37), admins only
        app.MapApiTokenIntrospection("/api/tokens/introspect");   // RFC 7662 for gateways (R40), clients from ApiTokens:Introspection
        app.MapApiTokenForwardAuth("/api/tokens/authz");           // nginx auth_request, Traefik forwardAuth, Envoy ext_authz (R41)
        app.MapCirconusApi();
        app.MapOpenApi();

        app.Lifetime.ApplicationStarted.Register(() => PrintWelcome(app, store));
        return app;
    }

    // What the page needs to offer only lifetimes and grace periods the service accepts (R21, R23).
    private static IResult TokenSettings(HttpContext context, ApiTokenOptions options) => Results.Ok(new
    {
        // R33: the page shows the caller's own address beside the network editor, and asks before
        // saving ranges that leave it out.
        clientAddress = context.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4().ToString() : context.Connection.RemoteIpAddress?.ToString(),
        defaultLifetimeDays = options.DefaultLifetime?.TotalDays,
        maxLifetimeDays = options.MaxLifetime?.TotalDays,
        rotationGracePeriodSeconds = (long)options.RotationGracePeriod.TotalSeconds,
        maxRotationGracePeriodSeconds = (long)options.MaxRotationGracePeriod.TotalSeconds,
        lastUsedGranularitySeconds = options.LastUsedGranularity.TotalSeconds,
        unusedWarningAfterSeconds = options.UnusedWarningAfter.TotalSeconds,
        scopes = options.Scopes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new { name = s.Key, description = s.Value }),
    });

    private static void PrintWelcome(WebApplication app, string store)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var url = addresses?.FirstOrDefault() ?? DefaultUrl;
        Console.WriteLine($$"""

            ApiTokens sample is running on {{url}}  (store: {{store}})
              Open {{url}}/ and sign in as alice (Admin), bob (Normal), carol (ReadOnly) of acme, or dave (Admin) of globex.
              Demo sign-in has no password: it is for trying the SDK, never for production.
              From a shell:  curl -c cookies.txt -H 'Content-Type: application/json' -d '{"userName":"alice"}' {{url}}/login
            Press Ctrl+C to stop.

            """);
    }
}
