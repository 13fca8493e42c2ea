using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.Sample.Tests;

// Plays GitHub for R31: our own P-256 keys served in GitHub's format on a loopback Kestrel, reports
// signed as GitHub signs them. The server can be told to fail or to hang, and counts its reads.
internal sealed class GitHubKeyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string Id, ECDsa Key)> _keys = [];
    private int _reads;

    private GitHubKeyServer(WebApplication app)
    {
        _app = app;
    }

    public Uri KeysUrl { get; private set; } = null!;

    public int Reads => _reads;

    public bool Down { get; set; }

    public TimeSpan Delay { get; set; }

    public string[] SampleArgs => ["--ApiTokens:LeakReports:GitHubKeysUrl", KeysUrl.ToString(), "--ApiTokens:LeakReports:KeysTimeout", "00:00:01"];

    public static async Task<GitHubKeyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseSetting("urls", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new GitHubKeyServer(app);
        app.MapGet("/meta/public_keys/secret_scanning", (Func<HttpContext, Task<IResult>>)server.ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.KeysUrl = new Uri(new Uri(address), "/meta/public_keys/secret_scanning");
        server.AddKey();
        return server;
    }

    public string AddKey()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        lock (_keys)
        {
            _keys.Add((id, ECDsa.Create(ECCurve.NamedCurves.nistP256)));
        }

        return id;
    }

    public string CurrentKeyId
    {
        get
        {
            lock (_keys)
            {
                return _keys[^1].Id;
            }
        }
    }

    // A report request as GitHub sends it, signed with the newest key (or another key id / a forged signature).
    public HttpRequestMessage Report(Uri sample, string body, string? keyId = null, bool forge = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        ECDsa key;
        lock (_keys)
        {
            key = _keys[^1].Key;
        }

        var signature = key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (forge)
        {
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            signature = other.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(sample, "/api/tokens/leaks/github")) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Github-Public-Key-Identifier", keyId ?? CurrentKeyId);
        request.Headers.Add("Github-Public-Key-Signature", Convert.ToBase64String(signature));
        return request;
    }

    private async Task<IResult> ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _reads);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (Down)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        lock (_keys)
        {
            return Results.Json(new
            {
                public_keys = _keys.Select((k, i) => new { key_identifier = k.Id, key = k.Key.ExportSubjectPublicKeyInfoPem(), is_current = i == _keys.Count - 1 }).ToArray(),
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var (_, key) in _keys)
        {
            key.Dispose();
        }
    }
}
