using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Sample.Tests;

// The real sample (SampleApp.Build, as `dotnet run` builds it) on Kestrel, loopback, a free port.
internal sealed class SampleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SampleServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<SampleServer> StartAsync(Action<WebApplicationBuilder>? configure = null, params string[] args)
    {
        string[] all = ["--urls", "http://127.0.0.1:0", "--store", "inmemory", "--Logging:LogLevel:Default", "Warning", .. args];
        var app = ApiTokens.Sample.SampleApp.Build(all, configure);
        await app.StartAsync();

        // Ready means listening (R26): on PostgreSQL the change listener connects in the background, and
        // its first LISTEN drops whatever was cached before it (announcements could have been missed).
        // A test that used a token before that would find it evicted a moment later.
        var feed = app.Services.GetRequiredService<ApiTokens.Caching.ApiTokenChangeFeed>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!feed.IsConnected)
        {
            Assert.IsLessThan(TimeSpan.FromSeconds(30), waited.Elapsed, "the sample's change listener did not connect");
            await Task.Delay(20);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SampleServer(app, new Uri(address));
    }

    public HttpClient CreateClient()
        => new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = Address };

    public async Task<HttpClient> SignInAsync(string userName)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/login", new { userName });
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return client;
    }

    public static async Task<JsonElement> CreateTokenAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/tokens", body);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public HttpRequestMessage ApiRequest(HttpMethod method, string path, string secret, string appName = "sample-tests")
    {
        var request = new HttpRequestMessage(method, new Uri(Address, path));
        request.Headers.Add("X-Circonus-Auth-Token", secret);
        request.Headers.Add("X-Circonus-App-Name", appName);
        request.Headers.Add("Accept", "application/json");
        return request;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(status, (int)response.StatusCode, text);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.AreEqual(code, body.GetProperty("code").GetString(), text);
        return body;
    }

    // Stopped as Ctrl+C stops it (hosted services get StopAsync: the last last-use batch is written), then disposed.
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
