using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace ApiTokens.AspNetCore.Tests.Webhooks;

// A real receiver on Kestrel (loopback, a free port) that verifies every delivery with the Standard
// Webhooks library (independent of the sender's signing code) and answers as the test says.
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = null!;

    // The secrets the receiver verifies with (a delivery verifies if any of them accepts it).
    public List<string> Secrets { get; } = [];

    // The status for the n-th request (1-based); 204 unless the test says otherwise.
    public Func<int, HttpContext, Task<int>> Respond { get; set; } = (_, _) => Task.FromResult(204);

    public int Count => Volatile.Read(ref _count);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        app.MapPost("/redirect", () => Results.Redirect("/hook", permanent: false, preserveMethod: true));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        int[] verifiedBy = [.. Secrets.Select((secret, i) => Verifies(secret, body, context.Request.Headers) ? i : -1).Where(i => i >= 0)];
        var n = Interlocked.Increment(ref _count);
        var status = await Respond(n, context);
        await _received.Writer.WriteAsync(new Received(
            n,
            context.Request.Headers["webhook-id"].ToString(),
            long.Parse(context.Request.Headers["webhook-timestamp"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
            context.Request.Headers["webhook-signature"].ToString(),
            context.Request.ContentType,
            body,
            verifiedBy,
            status));
        context.Response.StatusCode = status;
    }

    private static bool Verifies(string secret, string body, IHeaderDictionary headers)
    {
        try
        {
            new StandardWebhook(secret).Verify(body, headers);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    // The next request the receiver got, waiting for it (a real wait: the sender runs on its own).
    public async Task<Received> NextAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new AssertFailedException($"The receiver got no delivery within {within ?? TimeSpan.FromSeconds(30)} ({Count} so far).");
        }
    }

    public bool TryNext(out Received received) => _received.Reader.TryRead(out received!);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // What one request brought: VerifiedBy holds the indexes in Secrets of the secrets that verified it.
    public sealed record Received(int N, string Id, long Timestamp, string Signature, string? ContentType, string Body, IReadOnlyList<int> VerifiedBy, int Status);
}
