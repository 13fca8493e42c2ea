using ApiTokens.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- memory [count] [inmemory|sqlite] [apps]  (bytes per cached token; apps per token, 1 by default)
// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- scale-probe [tokens] [hits] [separate]  (hit time and GC pauses at scale)
// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- allocations  (bytes per request, step by step)
// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- reload-alloc [sqlite|postgres]  (bytes per refresh-ahead reload, by batch size)
if (args is ["memory", ..])
{
    await MemoryPerToken.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000,
        args.Length > 2 ? args[2] : "inmemory",
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}

if (args is ["scale-probe", ..])
{
    await ScaleProbe.RunAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 500_000,
        args is [_, _, _, "separate", ..],
        Environment.GetEnvironmentVariable("PROBE_LIFETIME") is { } seconds ? TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)) : null);
    return;
}

if (args is ["reload-alloc", ..])
{
    await ReloadAllocationProbe.RunAsync(args.Length > 1 ? args[1] : "sqlite");
    return;
}

if (args is ["allocations", ..])
{
    await AllocationProfile.RunAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
