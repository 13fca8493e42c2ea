using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// A throwaway PostgreSQL cluster: initdb + pg_ctl in a temp folder, on a free loopback port, removed
// afterwards. PostgreSQL refuses to run as root, so as root it runs through `runuser -u postgres --`.
internal sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _binaries;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string directory, string binaries, bool asPostgresUser, int port)
    {
        _directory = directory;
        _binaries = binaries;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database)
        => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=200;Timeout=30;Command Timeout=60";

    public static string? FindBinaries()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                return directory;
            }
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderDescending().FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
    }

    public static async Task<PostgresCluster> StartAsync()
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql; install PostgreSQL 15 (apt-get install -y postgresql).");
        var asPostgresUser = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "apitokens-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        var port = FreePort();
        var cluster = new PostgresCluster(directory, binaries, asPostgresUser, port);
        var data = Path.Combine(directory, "data");
        await cluster.PgAsync("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await cluster.PgAsync("pg_ctl", ["-D", data, "-l", Path.Combine(directory, "log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start"]);
        return cluster;
    }

    // Stops the server (fast shutdown: connections are told and closed) and starts it again on the
    // same port, as an operator restarting PostgreSQL would.
    public Task StopAsync() => PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "fast", "-w", "-t", "60", "stop"]);

    public Task StartAgainAsync() => PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", "start"]);

    // Freezes (SIGSTOP) or thaws (SIGCONT) the server and all its backends: a database that hangs.
    public async Task SignalAllAsync(string signal)
    {
        var postmaster = (await File.ReadAllLinesAsync(Path.Combine(_directory, "data", "postmaster.pid")))[0].Trim();
        await RunAsync("pkill", [$"-{signal}", "-P", postmaster], allowExitCodes: [0, 1]);
        await RunAsync("kill", [$"-{signal}", postmaster]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Task PgAsync(string tool, string[] args)
        => _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries, tool), .. args])
            : RunAsync(Path.Combine(_binaries, tool), args);

    private static async Task RunAsync(string file, string[] args, int[]? allowExitCodes = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (!(allowExitCodes ?? [0]).Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
