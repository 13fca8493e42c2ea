using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ApiTokens.RateLimiting.Redis.Tests;

// A throwaway redis-server (Debian's redis-server) on a free loopback port, no persistence, in a
// temporary folder; stopped, started again, or put to sleep (DEBUG SLEEP) by tests. Missing binary:
// inconclusive, or a failure with APITOKENS_REQUIRE_DEPENDENCIES=1 (CI installs it).
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string binary, int port)
    {
        _binary = binary;
        Port = port;
        _directory = Directory.CreateTempSubdirectory("apitokens-redis-").FullName;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static string? FindBinary()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<RedisServer> StartAsync()
    {
        if (FindBinary() is not { } binary)
        {
            if (Environment.GetEnvironmentVariable("APITOKENS_REQUIRE_DEPENDENCIES") != "1")
            {
                Assert.Inconclusive("redis-server was not found; install it (apt-get install -y redis-server) to run these tests.");
            }

            throw new InvalidOperationException("redis-server was not found (APITOKENS_REQUIRE_DEPENDENCIES=1).");
        }

        var server = new RedisServer(binary, FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(_binary)
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory, "--enable-debug-command", "local", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new InvalidOperationException($"redis-server did not start on port {Port}.");
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    // Blocks the server for a while, as a slow Redis would (DEBUG SLEEP, off the test's thread).
    public Task SleepAsync(TimeSpan duration)
        => SendAsync($"*3\r\n$5\r\nDEBUG\r\n$5\r\nSLEEP\r\n${duration.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{duration.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}\r\n", waitForReply: false);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            return (await SendAsync("*1\r\n$4\r\nPING\r\n", waitForReply: true)).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<string> SendAsync(string command, bool waitForReply)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command));
        if (!waitForReply)
        {
            // Give the server the command before the connection closes.
            await Task.Delay(50);
            return "";
        }

        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
