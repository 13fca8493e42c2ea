using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ApiTokens.Sample.Tests.Api;

// R40, R41 from outside: docs/gateways.md's nginx configuration, run verbatim (only its three ports
// replaced) by Debian's nginx in front of the docs' Python upstream, with the sample judging tokens;
// Traefik's headers and introspection as a configured client straight over HTTP.
[TestClass]
public sealed partial class GatewayTests
{
    private const string ClientSecret = "edge-gateway-secret-0123456789";
    private const string Bootstrap = "gateway-bootstrap-0123456789abcdef";

    private static SampleServer s_sample = null!;
    private static Process? s_nginx;
    private static Process? s_upstream;
    private static string s_directory = null!;
    private static Uri s_gateway = null!;
    private static readonly HttpClient s_http = new();

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext context)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        if (nginx is null)
        {
            Repository.RequireOrSkip("nginx is needed to run docs/gateways.md's configuration ('apt-get install -y nginx-light').");
        }

        s_sample = await SampleServer.StartAsync(
            null,
            "--ApiTokens:Bootstrap:AccountId=acme",
            $"--ApiTokens:Bootstrap:Secret={Bootstrap}",
            "--ApiTokens:Bootstrap:Privilege=Normal",
            "--ApiTokens:ForwardAuth:TooManyRequestsStatus=403",
            "--ApiTokens:ForwardAuth:TrustedProxies:0=127.0.0.1",
            "--ApiTokens:Introspection:Clients:0:ClientId=edge-gateway",
            $"--ApiTokens:Introspection:Clients:0:SecretSha256={Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret)))}");

        var docs = Repository.ReadDoc("gateways.md");
        var config = NginxBlock().Match(docs);
        var upstream = PythonBlock().Match(docs);
        Assert.IsTrue(config.Success && upstream.Success, "docs/gateways.md holds an nginx configuration and a Python upstream");

        s_directory = Directory.CreateTempSubdirectory("apitokens-nginx-").FullName;
        Directory.CreateDirectory(Path.Combine(s_directory, "temp"));
        if (!OperatingSystem.IsWindows())
        {
            // nginx's workers run as another user when the tests run as root.
            File.SetUnixFileMode(s_directory, (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(Path.Combine(s_directory, "temp"), (UnixFileMode)0b111_111_111);
        }
        var upstreamPort = FreePort();
        var gatewayPort = FreePort();
        await File.WriteAllTextAsync(Path.Combine(s_directory, "upstream.py"), upstream.Groups[1].Value);
        await File.WriteAllTextAsync(
            Path.Combine(s_directory, "nginx.conf"),
            config.Groups[1].Value
                .Replace("127.0.0.1:5000", $"127.0.0.1:{s_sample.Address.Port}", StringComparison.Ordinal)
                .Replace("127.0.0.1:8000", $"127.0.0.1:{upstreamPort}", StringComparison.Ordinal)
                .Replace("127.0.0.1:8080", $"127.0.0.1:{gatewayPort}", StringComparison.Ordinal));

        s_upstream = Start("python3", s_directory, "upstream.py", upstreamPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        s_nginx = Start(nginx, s_directory, "-p", s_directory, "-c", Path.Combine(s_directory, "nginx.conf"), "-g", "daemon off;");
        s_gateway = new Uri($"http://127.0.0.1:{gatewayPort}");
        await WaitForAsync(upstreamPort);
        await WaitForAsync(gatewayPort);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        foreach (var process in new[] { s_nginx, s_upstream })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        if (s_sample is not null)
        {
            await s_sample.DisposeAsync();
        }

        if (s_directory is not null)
        {
            Directory.Delete(s_directory, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task ThroughNginx_ATokenReachesTheUpstream_WithItsIdentity()
    {
        using var request = Through("/v2/annotation?x=1", Bootstrap, "nginx-tests");

        var response = await s_http.SendAsync(request, TestContext.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("/v2/annotation?x=1", body.GetProperty("path").GetString());
        var identity = body.GetProperty("identity");
        Assert.AreEqual("acme", identity.GetProperty("X-ApiToken-Account").GetString());
        Assert.AreEqual("normal", identity.GetProperty("X-ApiToken-Privilege").GetString());
        Assert.AreEqual("nginx-tests", identity.GetProperty("X-ApiToken-App").GetString());
        Assert.IsFalse(string.IsNullOrEmpty(identity.GetProperty("X-ApiToken-Id").GetString()));
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task ThroughNginx_NoTokenOrAWrongOne_NeverReachesTheUpstream()
    {
        using var none = Through("/v2/annotation", null, null);
        using var wrong = Through("/v2/annotation", "apt_not-a-token", "nginx-tests");

        var a = await s_http.SendAsync(none, TestContext.CancellationToken);
        var b = await s_http.SendAsync(wrong, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.Unauthorized, a.StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, b.StatusCode);
        Assert.DoesNotContain("identity", await b.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task ThroughNginx_AClientCannotForgeTheIdentityHeaders()
    {
        using var request = Through("/v2/annotation", Bootstrap, "nginx-tests");
        request.Headers.Add("X-ApiToken-Account", "someone-else");
        request.Headers.Add("X-ApiToken-Privilege", "admin");

        var response = await s_http.SendAsync(request, TestContext.CancellationToken);
        var identity = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement.GetProperty("identity");

        Assert.AreEqual("acme", identity.GetProperty("X-ApiToken-Account").GetString());
        Assert.AreEqual("normal", identity.GetProperty("X-ApiToken-Privilege").GetString());
    }

    [TestMethod]
    [TestCategory("R41")]
    [TestCategory("R34")]
    public async Task ThroughNginx_ARateLimitedToken_Is403_NotAnNginx500()
    {
        using var alice = await s_sample.SignInAsync("alice");
        var token = await SampleServer.CreateTokenAsync(alice, new { type = "account", rateLimit = new { limit = 1, windowSeconds = 3600 }, defaultAppState = "allow" });
        var secret = token.GetProperty("secret").GetString()!;
        using var first = Through("/v2/annotation", secret, "nginx-tests");
        using var second = Through("/v2/annotation", secret, "nginx-tests");

        var allowed = await s_http.SendAsync(first, TestContext.CancellationToken);
        var limited = await s_http.SendAsync(second, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, allowed.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, limited.StatusCode, "ForwardAuth:TooManyRequestsStatus=403, which nginx passes on");
    }

    [TestMethod]
    [TestCategory("R41")]
    public async Task TraefiksHeaders_StraightToTheSample()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(s_sample.Address, "/api/tokens/authz"));
        request.Headers.Add("X-Circonus-Auth-Token", Bootstrap);
        request.Headers.Add("X-Circonus-App-Name", "traefik-tests");
        request.Headers.Add("X-Forwarded-Method", "DELETE");
        request.Headers.Add("X-Forwarded-Uri", "/v2/annotation/1");

        var response = await s_http.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, "a Normal token may DELETE (R16)");
        Assert.AreEqual("acme", response.Headers.GetValues("X-ApiToken-Account").Single());
        Assert.AreEqual("traefik-tests", response.Headers.GetValues("X-ApiToken-App").Single());
    }

    [TestMethod]
    [TestCategory("R40")]
    public async Task Introspection_AsAConfiguredClient()
    {
        var active = await IntrospectAsync(Bootstrap);
        var inactive = await IntrospectAsync("apt_not-a-token");

        Assert.IsTrue(active.GetProperty("active").GetBoolean());
        Assert.AreEqual("acme", active.GetProperty("account").GetString());
        Assert.AreEqual("acme", active.GetProperty("sub").GetString(), "an account token's subject is its account");
        Assert.AreEqual("normal", active.GetProperty("privilege").GetString());
        Assert.AreEqual("""{"active":false}""", inactive.GetRawText());
    }

    private async Task<JsonElement> IntrospectAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(s_sample.Address, "/api/tokens/introspect"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["app"] = "introspection-tests" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("edge-gateway:" + ClientSecret)));
        var response = await s_http.SendAsync(request, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;
    }

    private static HttpRequestMessage Through(string path, string? secret, string? app)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(s_gateway, path));
        if (secret is not null)
        {
            request.Headers.Add("X-Circonus-Auth-Token", secret);
        }

        if (app is not null)
        {
            request.Headers.Add("X-Circonus-App-Name", app);
        }

        return request;
    }

    private static Process Start(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task WaitForAsync(int port)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"```nginx\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex NginxBlock();

    [GeneratedRegex(@"```python\n(# upstream\.py.*?)```", RegexOptions.Singleline)]
    private static partial Regex PythonBlock();
}
