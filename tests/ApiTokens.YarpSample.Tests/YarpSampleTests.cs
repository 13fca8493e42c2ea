using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

[assembly: Parallelize(Scope = ExecutionScope.ClassLevel, Workers = 2)]

namespace ApiTokens.YarpSample.Tests;

// The YARP sample through real sockets: a client, the proxy (the sample, on Kestrel) and a backend
// (Kestrel) that echoes what reached it. Routes require the ApiTokens scheme through ASP.NET Core
// authorization in the proxy itself.
[TestClass]
public sealed class YarpSampleTests
{
    private const string Secret = "yarp-bootstrap-0123456789abcdef";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R41")]
    public async Task WithoutAToken_TheProxyAnswers401_AndTheBackendSeesNothing()
    {
        await using var setup = await Setup.StartAsync();

        var response = await setup.Client.GetAsync("/v2/annotation", TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(0, setup.BackendCalls);
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task WithAToken_TheBackendGetsTheIdentity_NotTheSecret()
    {
        await using var setup = await Setup.StartAsync();

        var echo = await setup.SendAsync(HttpMethod.Get, "/v2/annotation?x=1", Secret, TestContext.CancellationToken);

        Assert.AreEqual("/v2/annotation?x=1", echo.GetProperty("path").GetString());
        var headers = echo.GetProperty("headers");
        Assert.AreEqual("acme", headers.GetProperty("X-ApiToken-Account").GetString());
        Assert.AreEqual("normal", headers.GetProperty("X-ApiToken-Privilege").GetString());
        Assert.AreEqual("yarp-tests", headers.GetProperty("X-ApiToken-App").GetString());
        Assert.IsFalse(headers.TryGetProperty("X-Circonus-Auth-Token", out _), "the secret stays at the proxy");
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task AWriteRoute_RefusesAReadOnlyToken_InTheProxy()
    {
        await using var setup = await Setup.StartAsync("--ApiTokens:Bootstrap:Privilege=ReadOnly");

        using var write = new HttpRequestMessage(HttpMethod.Delete, "/v2/annotation/1");
        write.Headers.Add("X-Circonus-Auth-Token", Secret);
        write.Headers.Add("X-Circonus-App-Name", "yarp-tests");
        var response = await setup.Client.SendAsync(write, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode, "a read-only token may not DELETE (R16)");
        Assert.AreEqual(0, setup.BackendCalls);
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly WebApplication _backend;
        private readonly WebApplication _proxy;
        private int _calls;

        private Setup(WebApplication backend, WebApplication proxy, HttpClient client)
        {
            _backend = backend;
            _proxy = proxy;
            Client = client;
        }

        public HttpClient Client { get; }

        public int BackendCalls => Volatile.Read(ref _calls);

        public static async Task<Setup> StartAsync(params string[] args)
        {
            Setup? setup = null;
            var backend = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]).Build();
            backend.Run(async context =>
            {
                Interlocked.Increment(ref setup!._calls);
                var headers = context.Request.Headers.ToDictionary(static h => h.Key, static h => h.Value.ToString());
                await context.Response.WriteAsJsonAsync(new { path = context.Request.Path + context.Request.QueryString, headers });
            });
            await backend.StartAsync();

            var proxy = YarpSampleApp.Build(
            [
                "--urls", "http://127.0.0.1:0",
                "--ReverseProxy:Clusters:backend:Destinations:backend:Address", Address(backend).ToString(),
                "--ApiTokens:Bootstrap:AccountId", "acme",
                "--ApiTokens:Bootstrap:Secret", Secret,
                "--ApiTokens:Bootstrap:Privilege", "Normal",
                .. args,
            ]);
            await proxy.StartAsync();
            setup = new Setup(backend, proxy, new HttpClient { BaseAddress = Address(proxy) });
            return setup;
        }

        public async Task<JsonElement> SendAsync(HttpMethod method, string path, string secret, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Add("X-Circonus-Auth-Token", secret);
            request.Headers.Add("X-Circonus-App-Name", "yarp-tests");
            var response = await Client.SendAsync(request, cancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
            return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _proxy.StopAsync();
            await _proxy.DisposeAsync();
            await _backend.StopAsync();
            await _backend.DisposeAsync();
        }

        private static Uri Address(WebApplication app)
            => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
