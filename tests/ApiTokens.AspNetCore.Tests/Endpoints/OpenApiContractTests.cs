using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Management;
using ApiTokens.Tests;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// The OpenAPI document is a true contract: valid OpenAPI (Microsoft.OpenApi's reader and rule set),
// the scheme described as configured and required exactly where a policy authenticates with it, and
// every operation declaring exactly the statuses it answers over HTTP.
[TestClass]
[TestCategory("OpenAPI")]
public sealed class OpenApiContractTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Document_IsValidOpenApi()
    {
        await using var host = await ApiHost.StartAsync();
        var json = await host.Client.GetStringAsync("/openapi/v1.json", TestContext.CancellationToken);

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        Assert.IsNotNull(diagnostic);
        Assert.IsEmpty(diagnostic!.Errors, string.Join("\n", diagnostic.Errors));
        var errors = document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToArray() ?? [];
        Assert.IsEmpty(errors, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.AreEqual(4, document!.Components!.SecuritySchemes!.Count);
    }

    [TestMethod]
    public async Task Schemes_AreEveryWayTheSchemeAcceptsAToken_AsConfigured()
    {
        await using (var host = await ApiHost.StartAsync())
        {
            var document = await DocumentAsync(host);
            var schemes = document.GetProperty("components").GetProperty("securitySchemes");
            AssertScheme(schemes, "ApiTokens", "apiKey", "X-Circonus-Auth-Token");
            AssertScheme(schemes, "ApiTokens.AppName", "apiKey", "X-Circonus-App-Name");
            Assert.AreEqual("basic", schemes.GetProperty("ApiTokens.Basic").GetProperty("scheme").GetString());
            Assert.AreEqual("bearer", schemes.GetProperty("ApiTokens.Bearer").GetProperty("scheme").GetString());
            CollectionAssert.AreEqual(
                new[] { "ApiTokens+ApiTokens.AppName", "ApiTokens.Basic", "ApiTokens.Bearer+ApiTokens.AppName" },
                Requirements(Operation(document, "/read", "get")));
        }

        await using (var host = await ApiHost.StartAsync(o =>
        {
            o.TokenHeaderName = "X-Api-Key";
            o.AppNameHeaderName = "X-Api-App";
            o.AllowBasicAuthorization = false;
            o.AllowBearerAuthorization = false;
        }))
        {
            var document = await DocumentAsync(host);
            var schemes = document.GetProperty("components").GetProperty("securitySchemes");
            CollectionAssert.AreEquivalent(new[] { "ApiTokens", "ApiTokens.AppName" }, schemes.EnumerateObject().Select(p => p.Name).ToArray());
            AssertScheme(schemes, "ApiTokens", "apiKey", "X-Api-Key");
            AssertScheme(schemes, "ApiTokens.AppName", "apiKey", "X-Api-App");
            CollectionAssert.AreEqual(new[] { "ApiTokens+ApiTokens.AppName" }, Requirements(Operation(document, "/read", "get")));
        }

        // With a default app name, the token alone is enough.
        await using (var host = await ApiHost.StartAsync(o => o.DefaultAppName = "default-app"))
        {
            var document = await DocumentAsync(host);
            CollectionAssert.Contains(Requirements(Operation(document, "/read", "get")), "ApiTokens");
            CollectionAssert.Contains(Requirements(Operation(document, "/read", "get")), "ApiTokens.Bearer");
        }
    }

    [TestMethod]
    [TestCategory("R16")]
    public async Task Requirement_IsOnExactlyTheOperationsWhosePolicyUsesTheScheme_WithTheirPrivilege()
    {
        await using var host = await ApiHost.StartAsync();
        var document = await DocumentAsync(host);

        // RequireApiToken (R16 by method), RequireApiTokenPrivilege, the attribute, the named policy, a policy of two schemes.
        (string Path, string Method, string Privilege)[] protectedOperations =
        [
            ("/read", "get", "readOnly"), ("/no-claims", "get", "readOnly"), ("/write", "post", "normal"), ("/write", "delete", "normal"),
            ("/admin", "put", "admin"), ("/admin-attribute", "get", "admin"), ("/policy", "post", "normal"), ("/either", "get", "readOnly"),
        ];
        foreach (var (path, method, privilege) in protectedOperations)
        {
            var operation = Operation(document, path, method);
            Assert.IsNotEmpty(Requirements(operation), $"{method} {path}");
            Assert.AreEqual(privilege, operation.GetProperty("x-apitokens-privilege").GetString(), $"{method} {path}");
            StringAssert.Contains(operation.GetProperty("description").GetString(), $"`{privilege}`");
            CollectionAssert.AreEquivalent(new[] { "Unauthorized.BadApp", "Unauthorized.BadToken", "Unauthorized.PendingApp" }, Codes(operation, "401"));
            CollectionAssert.IsSubsetOf(new[] { "Forbidden.BadApp", "Forbidden.InsufficientPrivilege", "Forbidden.Network", "Forbidden.TooManyApps" }, Codes(operation, "403"));
            CollectionAssert.AreEquivalent(new[] { "TooManyRequests.AuthFailures", "TooManyRequests.RateLimit" }, Codes(operation, "429"));
            CollectionAssert.AreEqual(new[] { "ServiceUnavailable.TokenStore" }, Codes(operation, "503"));
            Assert.IsTrue(operation.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        }

        // Anonymous, cookie-only and the management API (the host's sign-in) carry no token requirement.
        foreach (var (path, method) in new[] { ("/anonymous", "get"), ("/cookie-only", "get"), ("/api/tokens", "get"), ("/api/tokens", "post"), ("/api/tokens/revoke", "post") })
        {
            Assert.IsFalse(Operation(document, path, method).TryGetProperty("security", out _), $"{method} {path}");
        }
    }

    [TestMethod]
    public async Task FallbackPolicyWithTheScheme_RequiresTokensOnEndpointsWithoutMetadata_NotOnAnonymousOnes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddApiTokens().AddInMemoryStore().AddInMemoryMembership();
        builder.Services.AddAuthentication().AddApiTokens();
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder(ApiTokenAuthenticationDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser().AddApiTokenPrivilegeRequirement().Build());
        builder.Services.AddOpenApi(o => o.AddApiTokens());
        await using var app = builder.Build();
        app.MapGet("/plain", () => "ok");
        app.MapPost("/plain", () => "ok");
        app.MapGet("/open", () => "ok").AllowAnonymous();
        app.MapGet("/claim", () => "ok").RequireAuthorization(new AuthorizationPolicyBuilder(ApiTokenAuthenticationDefaults.AuthenticationScheme).RequireClaim("team").Build());
        app.MapOpenApi().AllowAnonymous();
        await app.StartAsync(TestContext.CancellationToken);

        var document = await app.GetTestClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);

        Assert.AreEqual("readOnly", Operation(document, "/plain", "get").GetProperty("x-apitokens-privilege").GetString());
        Assert.AreEqual("normal", Operation(document, "/plain", "post").GetProperty("x-apitokens-privilege").GetString());
        Assert.IsFalse(Operation(document, "/open", "get").TryGetProperty("security", out _));

        // A requirement of the host's own refuses with the plain Forbidden code; the scheme's own policies do not.
        CollectionAssert.Contains(Codes(Operation(document, "/claim", "get"), "403"), "Forbidden");
        CollectionAssert.DoesNotContain(Codes(Operation(document, "/plain", "get"), "403"), "Forbidden");
    }

    [TestMethod]
    public async Task ManagementOperations_DescribeBodiesParametersAndProblemCodes()
    {
        await using var host = await ApiHost.StartAsync();
        var document = await DocumentAsync(host);

        foreach (var (path, method, body) in new[]
        {
            ("/api/tokens", "post", "CreateApiTokenBody"), ("/api/tokens/import", "post", "ImportApiTokenBody"), ("/api/tokens/revoke", "post", "RevokeApiTokensBody"),
            ("/api/tokens/{id}", "patch", "UpdateApiTokenBody"), ("/api/tokens/{id}/apps/{appName}", "put", "SetAppStateBody"), ("/api/tokens/{id}/rotate", "post", "RotateApiTokenBody"),
        })
        {
            var requestBody = Operation(document, path, method).GetProperty("requestBody");
            Assert.AreEqual("#/components/schemas/" + body, requestBody.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
            Assert.AreEqual(body != "RotateApiTokenBody", requestBody.TryGetProperty("required", out var required) && required.GetBoolean(), path);
            Assert.IsFalse(document.GetProperty("components").GetProperty("schemas").GetProperty(body).GetProperty("additionalProperties").GetBoolean(), body);
        }

        // The secret is in the create and rotate responses only.
        Assert.AreEqual("#/components/schemas/ApiTokenWithSecret", Schema(Operation(document, "/api/tokens", "post"), "201"));
        Assert.AreEqual("#/components/schemas/ApiTokenWithSecret", Schema(Operation(document, "/api/tokens/{id}/rotate", "post"), "200"));
        Assert.AreEqual("#/components/schemas/ApiTokenResponse", Schema(Operation(document, "/api/tokens/{id}", "get"), "200"));
        Assert.AreEqual("#/components/schemas/ApiTokenResponse", Schema(Operation(document, "/api/tokens/import", "post"), "201"));

        var create = Operation(document, "/api/tokens", "post");
        CollectionAssert.IsSubsetOf(new[] { "ReadOnlyCannotCreate", "AccountTokenRequiresAdmin", "PrivilegeExceedsRole", "CrossOriginRequest" }, Codes(create, "403"));
        CollectionAssert.AreEqual(new[] { "NotSignedIn" }, Codes(create, "401"));
        CollectionAssert.AreEqual(new[] { "ConcurrencyConflict" }, Codes(Operation(document, "/api/tokens/{id}", "patch"), "412"));
        Assert.IsTrue(create.GetProperty("responses").GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _));
        CollectionAssert.AreEquivalent(new[] { "limit", "cursor" }, Parameters(Operation(document, "/api/tokens", "get")));
        CollectionAssert.AreEquivalent(new[] { "id", "days" }, Parameters(Operation(document, "/api/tokens/{id}/usage", "get")));
        CollectionAssert.Contains(Parameters(Operation(document, "/api/tokens/{id}/retire", "post")), "If-Match");

        // Numbers are the integers the API writes and expects, not ASP.NET's "integer or numeric string".
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.AreEqual("integer", schemas.GetProperty("ApiTokenResponse").GetProperty("properties").GetProperty("version").GetProperty("type").GetString());
        CollectionAssert.AreEquivalent(
            new[] { "integer", "null" },
            schemas.GetProperty("CreateApiTokenBody").GetProperty("properties").GetProperty("lifetimeDays").GetProperty("type").EnumerateArray().Select(t => t.GetString()).ToArray());
    }

    // Every operation of the scheme and of the management API declares exactly the statuses it answers:
    // each request below goes over HTTP; what it answers is recorded by endpoint and compared with the document.
    [TestMethod]
    public async Task EveryOperation_DeclaresExactlyTheStatusesItAnswers()
    {
        var observed = new ConcurrentDictionary<string, ConcurrentDictionary<int, byte>>();
        var observedCodes = new ConcurrentDictionary<string, ConcurrentDictionary<string, byte>>();
        void Record(WebApplication app) => app.Use(async (context, next) =>
        {
            if (context.Request.Headers.TryGetValue("X-Test-Peer", out var peer))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
            }

            var original = context.Response.Body;
            using var copy = new MemoryStream();
            context.Response.Body = copy;
            await next(context);
            context.Response.Body = original;
            copy.Position = 0;
            await copy.CopyToAsync(original);
            if (context.GetEndpoint() is RouteEndpoint endpoint)
            {
                var key = Key(endpoint, context.Request.Method);
                observed.GetOrAdd(key, _ => new())[context.Response.StatusCode] = 0;
                if (context.Response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) == true)
                {
                    var code = JsonSerializer.Deserialize<JsonElement>(copy.ToArray()).GetProperty("code").GetString();
                    observedCodes.GetOrAdd(key, _ => new())[$"{context.Response.StatusCode} {code}"] = 0;
                }
            }
        });
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(
            core: o =>
            {
                o.FailureLimit = 1;
                o.MaxActiveAccountTokens = 2;
            },
            wrapStore: s => store.Wrap(s),
            beforeAuthentication: Record,
            services: s => s.Configure<ApiTokens.Webhooks.ApiTokenWebhookOptions>(o => o.MaxEndpointsPerAccount = 2));
        var document = await DocumentAsync(host);
        var alice = await host.SignInAsync(ApiHost.Alice);
        var bob = await host.SignInAsync(ApiHost.Bob);
        var carol = await host.SignInAsync(ApiHost.Carol);
        var stranger = await host.SignInAsync(new ApiTokenActor("acme", "mallory"));
        var anonymous = host.Client;

        var live = (await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user", privilege = "admin" })).GetProperty("id").GetString()!;
        var retired = (await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user" })).GetProperty("id").GetString()!;
        await SendAsync(alice, HttpMethod.Post, $"/api/tokens/{retired}/retire", null);
        string[] tokenPaths = ["/api/tokens/{0}", "/api/tokens/{0}/events", "/api/tokens/{0}/usage"];
        (HttpMethod Method, string Template, object Body)[] changes =
        [
            (HttpMethod.Patch, "/api/tokens/{0}", new { description = "x" }), (HttpMethod.Put, "/api/tokens/{0}/apps/some-app", new { state = "allow" }),
            (HttpMethod.Post, "/api/tokens/{0}/retire", new { }), (HttpMethod.Post, "/api/tokens/{0}/rotate", new { }), (HttpMethod.Post, "/api/tokens/{0}/promote", new { }),
        ];

        // 401, 403 (not a member, cross-origin), 404, 400, 409, 412 for the management API.
        foreach (var path in new[] { "/api/tokens", "/api/tokens/events" }.Concat(tokenPaths.Select(p => string.Format(null, p, live))))
        {
            await SendAsync(anonymous, HttpMethod.Get, path, null);
            await SendAsync(stranger, HttpMethod.Get, path, null);
            await SendAsync(alice, HttpMethod.Get, path, null);
        }

        foreach (var path in tokenPaths)
        {
            await SendAsync(alice, HttpMethod.Get, string.Format(null, path, "no-such-token"), null);
        }

        await SendAsync(alice, HttpMethod.Get, "/api/tokens?limit=0", null);
        await SendAsync(alice, HttpMethod.Get, "/api/tokens/events?limit=0", null);
        await SendAsync(alice, HttpMethod.Get, $"/api/tokens/{live}/events?limit=0", null);
        await SendAsync(alice, HttpMethod.Get, $"/api/tokens/{live}/usage?days=0", null);
        await SendAsync(bob, HttpMethod.Get, "/api/tokens/events", null);
        foreach (var (path, body) in new (string, object)[] { ("/api/tokens", new { type = "user" }), ("/api/tokens/import", new { type = "account", secret = "imported-secret-0123456789" }) })
        {
            await SendAsync(anonymous, HttpMethod.Post, path, body);
            await SendAsync(alice, HttpMethod.Post, path, new { unknown = 1 });
            await SendAsync(carol, HttpMethod.Post, path, body);
            await SendAsync(alice, HttpMethod.Post, path, body, crossOrigin: true);
            await SendAsync(alice, HttpMethod.Post, path, body);
        }

        await SendAsync(alice, HttpMethod.Post, "/api/tokens/import", new { type = "account", secret = "imported-secret-0123456789" });   // 409: the secret exists
        await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user", lifetimeDays = 1, expiresAt = "2030-01-01T00:00:00Z" });

        // A retirement that loses a race to another change (R19): 409.
        var raced = (await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user" })).GetProperty("id").GetString()!;
        var gate = new TaskCompletionSource();
        store.UpdateGate = gate.Task;
        var retiring = SendAsync(alice, HttpMethod.Post, $"/api/tokens/{raced}/retire", null);
        await store.UpdateArrived.WaitAsync(TestContext.CancellationToken);
        var current = (await host.Store.FindByIdAsync(raced, TestContext.CancellationToken))!;
        await host.Store.UpdateAsync(current with { Description = "changed meanwhile" }, null, TestContext.CancellationToken);
        store.UpdateGate = null;
        gate.SetResult();
        await retiring;

        foreach (var (method, template, body) in changes)
        {
            await SendAsync(anonymous, method, string.Format(null, template, live), body);
            await SendAsync(alice, method, string.Format(null, template, "no-such-token"), body);
            await SendAsync(alice, method, string.Format(null, template, live), body, crossOrigin: true);
            await SendAsync(alice, method, string.Format(null, template, live), body, ifMatch: "\"999\"");
            await SendAsync(alice, method, string.Format(null, template, live), body, ifMatch: "not-a-tag");
            await SendAsync(alice, method, string.Format(null, template, retired), body);
        }

        foreach (var (method, template, body) in changes)
        {
            var fresh = (await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user" })).GetProperty("id").GetString()!;
            await SendAsync(alice, method, string.Format(null, template, fresh), body);
        }

        // The account's two account tokens are the import and the promoted one (R28): 409.
        await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "account" });
        var promotable = (await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user" })).GetProperty("id").GetString()!;
        await SendAsync(alice, HttpMethod.Post, $"/api/tokens/{promotable}/promote", null);

        // Revoke: anyone; 202, 400, cross-origin 403, and 429 once the client's failures are used up (R27, R32).
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = new[] { "apt_nothing" } });
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = Array.Empty<string>() });
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = new[] { "apt_nothing" } }, crossOrigin: true);
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = new[] { "apt_nothing" } }, peer: "203.0.113.9");
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = new[] { "apt_nothing" } }, peer: "203.0.113.9");

        // The scheme's operations: 200, 401, 403 (privilege), 429 (R34 rate limit).
        var admin = await host.CreateTokenAsync(ApiHost.Alice, privilege: TokenPrivilege.Admin);
        var readOnly = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.ReadOnly);
        var denied = await host.CreateTokenAsync(ApiHost.Alice, privilege: TokenPrivilege.Admin, defaultAppState: AppState.Deny);
        var unused = await host.CreateTokenAsync(ApiHost.Alice, privilege: TokenPrivilege.Admin);   // not in the cache when the store fails
        var limited = await host.ManageAsync(m => m.CreateAsync(ApiHost.Alice, new CreateApiTokenRequest { Type = TokenType.User, Privilege = TokenPrivilege.Admin, RateLimit = new ApiTokenRateLimit(1, 60) }));
        (HttpMethod Method, string Path)[] schemeOperations =
        [
            (HttpMethod.Get, "/read"), (HttpMethod.Get, "/no-claims"), (HttpMethod.Post, "/write"), (HttpMethod.Delete, "/write"), (HttpMethod.Put, "/admin"),
            (HttpMethod.Get, "/admin-attribute"), (HttpMethod.Post, "/policy"), (HttpMethod.Get, "/either"),
        ];
        foreach (var (method, path) in schemeOperations)
        {
            await host.Client.SendAsync(ApiHost.Request(method, path, admin.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, readOnly.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, denied.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, "apt_wrong"), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, limited.Value!.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, limited.Value!.Secret), TestContext.CancellationToken);
        }

        // Self-rotation (R39): the presenting token; 201, 400, 403 (no selfRotate, a denied app), 401, 429, 409 (a race).
        var selfRotating = await host.ManageAsync(m => m.CreateAsync(ApiHost.Alice, new CreateApiTokenRequest { Type = TokenType.User, SelfRotate = true }));
        var selfLimited = await host.ManageAsync(m => m.CreateAsync(ApiHost.Alice, new CreateApiTokenRequest { Type = TokenType.User, SelfRotate = true, RateLimit = new ApiTokenRateLimit(1, 60) }));
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            var path = method == HttpMethod.Get ? "/api/tokens/self" : "/api/tokens/self/rotate";
            await host.Client.SendAsync(ApiHost.Request(method, path, admin.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, denied.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, "apt_wrong"), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, selfLimited.Value!.Secret), TestContext.CancellationToken);
            await host.Client.SendAsync(ApiHost.Request(method, path, selfLimited.Value!.Secret), TestContext.CancellationToken);
        }

        using (var past = ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", selfRotating.Value!.Secret))
        {
            past.Content = JsonContent.Create(new { expiresAt = "2020-01-01T00:00:00Z" });
            await host.Client.SendAsync(past, TestContext.CancellationToken);
        }

        await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/api/tokens/self", selfRotating.Value!.Secret), TestContext.CancellationToken);
        var selfGate = new TaskCompletionSource();
        store.UpdateGate = selfGate.Task;
        var selfRotation = host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", selfRotating.Value!.Secret), TestContext.CancellationToken);
        await store.UpdateArrived.WaitAsync(TestContext.CancellationToken);
        var beforeRace = (await host.Store.FindByIdAsync(selfRotating.Value!.Details.Token.Id, TestContext.CancellationToken))!;
        await host.Store.UpdateAsync(beforeRace with { Description = "changed meanwhile" }, null, TestContext.CancellationToken);
        store.UpdateGate = null;
        selfGate.SetResult();
        await selfRotation;
        await host.Client.SendAsync(ApiHost.Request(HttpMethod.Post, "/api/tokens/self/rotate", selfRotating.Value!.Secret), TestContext.CancellationToken);

        // Webhooks (R37): each operation's successes and refusals.
        var hook = (await SendAsync(alice, HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/hook" })).GetProperty("id").GetString()!;
        await SendAsync(alice, HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/other" });
        await SendAsync(alice, HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/third" });   // 409: two per account here
        await SendAsync(alice, HttpMethod.Post, "/api/webhooks", new { url = "http://127.0.0.1/" });
        var delivery = (await SendAsync(alice, HttpMethod.Post, $"/api/webhooks/{hook}/test", null)).GetProperty("id").GetString()!;
        // The sender tries the test delivery in the background (203.0.113.10 answers nothing) and marks the
        // endpoint failing, a change of the endpoint: let it land before the changes below, which it
        // would otherwise race (a lost race is a 409, provoked on purpose further down).
        for (var i = 0; i < 3000 && (await SendAsync(alice, HttpMethod.Get, $"/api/webhooks/{hook}", null)).GetProperty("failingSince").ValueKind == JsonValueKind.Null; i++)
        {
            await Task.Delay(10, TestContext.CancellationToken);
        }

        await SendAsync(alice, HttpMethod.Get, "/api/webhooks", null);
        await SendAsync(alice, HttpMethod.Get, $"/api/webhooks/{hook}", null);
        await SendAsync(alice, HttpMethod.Get, $"/api/webhooks/{hook}/deliveries", null);
        await SendAsync(alice, HttpMethod.Get, $"/api/webhooks/{hook}/deliveries?limit=0", null);
        await SendAsync(alice, HttpMethod.Patch, $"/api/webhooks/{hook}", new { description = "chat" });
        await SendAsync(alice, HttpMethod.Patch, $"/api/webhooks/{hook}", new { url = "ftp://x" });
        await SendAsync(alice, HttpMethod.Post, $"/api/webhooks/{hook}/deliveries/{delivery}/retry", null);
        await SendAsync(alice, HttpMethod.Post, $"/api/webhooks/{hook}/rotate-secret", null);
        (HttpMethod Method, string Template, object? Body)[] webhookOperations =
        [
            (HttpMethod.Get, "/api/webhooks/{0}", null), (HttpMethod.Patch, "/api/webhooks/{0}", new { enabled = true }), (HttpMethod.Post, "/api/webhooks/{0}/test", null),
            (HttpMethod.Get, "/api/webhooks/{0}/deliveries", null), (HttpMethod.Post, "/api/webhooks/{0}/deliveries/" + delivery + "/retry", null),
            (HttpMethod.Post, "/api/webhooks/{0}/rotate-secret", null), (HttpMethod.Delete, "/api/webhooks/{0}", null),
        ];
        foreach (var (method, template, body) in webhookOperations.Append((HttpMethod.Get, "/api/webhooks", null)).Append((HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/x" })))
        {
            await SendAsync(anonymous, method, string.Format(null, template, hook), body);
            await SendAsync(bob, method, string.Format(null, template, hook), body);
            await SendAsync(alice, method, string.Format(null, template, "no-such-webhook"), body);
        }

        // A change that loses a race to another (409).
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[] { (HttpMethod.Patch, $"/api/webhooks/{hook}", new { enabled = true }), (HttpMethod.Post, $"/api/webhooks/{hook}/rotate-secret", null) })
        {
            var webhookGate = new TaskCompletionSource();
            store.WebhookUpdateGate = webhookGate.Task;
            var racing = SendAsync(alice, method, path, body);
            await store.WebhookUpdateArrived.WaitAsync(TestContext.CancellationToken);
            store.WebhookUpdateGate = null;
            var stored = (await host.Store.FindWebhookAsync(hook, TestContext.CancellationToken))!;
            await host.Store.UpdateWebhookAsync(stored with { Description = "changed meanwhile" }, TestContext.CancellationToken);
            webhookGate.SetResult();
            await racing;
        }

        await SendAsync(alice, HttpMethod.Delete, $"/api/webhooks/{hook}", null);

        // 503 everywhere: the store fails (R20).
        store.FailReads = true;
        store.FailWrites = true;
        foreach (var (method, path) in schemeOperations.Append((HttpMethod.Get, "/api/tokens/self")).Append((HttpMethod.Post, "/api/tokens/self/rotate")))
        {
            await host.Client.SendAsync(ApiHost.Request(method, path, unused.Secret), TestContext.CancellationToken);
        }

        foreach (var path in new[] { "/api/tokens", "/api/tokens/events" }.Concat(tokenPaths.Select(p => string.Format(null, p, live))))
        {
            await SendAsync(alice, HttpMethod.Get, path, null);
        }

        await SendAsync(alice, HttpMethod.Post, "/api/tokens", new { type = "user" });
        await SendAsync(alice, HttpMethod.Post, "/api/tokens/import", new { type = "account", secret = "another-imported-secret-0123" });
        await SendAsync(anonymous, HttpMethod.Post, "/api/tokens/revoke", new { secrets = new[] { "apt_nothing" } });
        foreach (var (method, template, body) in changes)
        {
            await SendAsync(alice, method, string.Format(null, template, live), body);
        }

        var failingHook = (await host.Store.ListWebhooksAsync("acme", TestContext.CancellationToken))[0].Id;
        foreach (var (method, template, body) in webhookOperations.Append((HttpMethod.Get, "/api/webhooks", null)).Append((HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/x" })))
        {
            await SendAsync(alice, method, string.Format(null, template, failingHook), body);
        }

        // 501: a store without the audit and usage capabilities reads neither back.
        await using (var coreOnly = await ApiHost.StartAsync(beforeAuthentication: Record, coreOnlyStore: true))
        {
            var signedIn = await coreOnly.SignInAsync(ApiHost.Alice);
            var id = (await SendAsync(signedIn, HttpMethod.Post, "/api/tokens", new { type = "user" })).GetProperty("id").GetString()!;
            await SendAsync(signedIn, HttpMethod.Get, "/api/tokens/events", null);
            await SendAsync(signedIn, HttpMethod.Get, $"/api/tokens/{id}/events", null);
            await SendAsync(signedIn, HttpMethod.Get, $"/api/tokens/{id}/usage", null);
            foreach (var (method, template, body) in webhookOperations.Append((HttpMethod.Get, "/api/webhooks", null)).Append((HttpMethod.Post, "/api/webhooks", new { url = "https://203.0.113.10/x" })))
            {
                await SendAsync(signedIn, method, string.Format(null, template, "any"), body);
            }
        }

        var mismatches = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var key = operation.Name.ToUpperInvariant() + " " + path.Name;
                // The scheme's operations and the management API; the host's own (anonymous, cookie) are not ours to describe.
                if (!operation.Value.TryGetProperty("security", out _) && !path.Name.StartsWith("/api/tokens", StringComparison.Ordinal) && !path.Name.StartsWith("/api/webhooks", StringComparison.Ordinal))
                {
                    continue;
                }

                var declared = operation.Value.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray();
                var answered = observed.TryGetValue(key, out var statuses) ? statuses.Keys.Order().ToArray() : [];
                if (!declared.SequenceEqual(answered))
                {
                    mismatches.Add($"{key}: declared {string.Join(",", declared)}, answered {string.Join(",", answered)}");
                }

                // Every problem's code is one its response declares.
                foreach (var problem in observedCodes.TryGetValue(key, out var codes) ? codes.Keys : [])
                {
                    var status = problem[..3];
                    if (!Codes(operation.Value, status).Contains(problem[4..]))
                    {
                        mismatches.Add($"{key}: answered {problem}, not among the codes declared for {status}");
                    }
                }
            }
        }

        Assert.IsEmpty(mismatches, string.Join("\n", mismatches));
    }

    private async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, object? body, bool crossOrigin = false, string? ifMatch = null, string? peer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        if (crossOrigin)
        {
            request.Headers.Add("Sec-Fetch-Site", "cross-site");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (peer is not null)
        {
            request.Headers.Add("X-Test-Peer", peer);
        }

        using var response = await client.SendAsync(request, TestContext.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        return text.Length > 0 && text[0] is '{' ? JsonSerializer.Deserialize<JsonElement>(text) : default;
    }

    // "METHOD /path/{param}" as the document names the operation.
    private static string Key(RouteEndpoint endpoint, string method)
    {
        var path = string.Join("/", endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => string.Empty,
        }))));
        return method + " /" + path;
    }

    private async Task<JsonElement> DocumentAsync(ApiHost host)
        => await host.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.CancellationToken);

    private static JsonElement Operation(JsonElement document, string path, string method)
        => document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string[] Requirements(JsonElement operation)
        => operation.TryGetProperty("security", out var security)
            ? [.. security.EnumerateArray().Select(r => string.Join("+", r.EnumerateObject().Select(p => p.Name)))]
            : [];

    private static string[] Codes(JsonElement operation, string status)
        => [.. operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/problem+json").GetProperty("schema")
            .GetProperty("allOf")[1].GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];

    private static string? Schema(JsonElement operation, string status)
        => operation.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    private static string[] Parameters(JsonElement operation)
        => [.. operation.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];

    private static void AssertScheme(JsonElement schemes, string name, string type, string header)
    {
        var scheme = schemes.GetProperty(name);
        Assert.AreEqual(type, scheme.GetProperty("type").GetString(), name);
        Assert.AreEqual("header", scheme.GetProperty("in").GetString(), name);
        Assert.AreEqual(header, scheme.GetProperty("name").GetString(), name);
    }
}
