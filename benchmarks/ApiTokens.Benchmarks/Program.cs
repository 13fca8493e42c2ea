using ApiTokens.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- --filter '*'
// dotnet run -c Release --project benchmarks/ApiTokens.Benchmarks -- memory     (bytes per cached token)
if (args is ["memory", ..])
{
    await MemoryPerToken.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
