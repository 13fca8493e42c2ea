using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ApiTokens.Sample.Tests;

// The sample in a process of its own (`dotnet ApiTokens.Sample.dll`, as a deployment runs it), so a
// test can kill it as a crash would: no StopAsync, no flush, nothing written after the kill.
internal sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private SampleProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<SampleProcess> StartAsync(string workingDirectory, params string[] args)
    {
        var start = StartInfo(workingDirectory, args);

        var process = new SampleProcess(Process.Start(start)!);
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (process._output)
            {
                process._output.AppendLine(line);
            }

            if (RunningOn().Match(line) is { Success: true } match)
            {
                started.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process._process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process._process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        try
        {
            process.Address = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new AssertFailedException("The sample did not start:\n" + process.Output);
        }

        return process;
    }

    // Runs the sample until it exits by itself (a start that fails), with environment variables set as
    // a shell would: its exit code and everything it wrote.
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = StartInfo(workingDirectory, args);

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new AssertFailedException("The sample kept running instead of stopping at start:\n" + await output + await error);
        }

        return (process.ExitCode, await output + await error);
    }

    // `dotnet ApiTokens.Sample.dll --urls http://127.0.0.1:0 …`, its output read by the test.
    private static ProcessStartInfo StartInfo(string workingDirectory, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "ApiTokens.Sample.dll"), "--urls", "http://127.0.0.1:0", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    // SIGKILL: the process ends where it stands.
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"running on (http://\S+)")]
    private static partial Regex RunningOn();
}
