using BenchmarkDotNet.Running;

namespace Tandem.Bench;

/// <summary>The BenchmarkDotNet suites of the hot paths: <c>dotnet run -c Release --project bench/Tandem.Bench -- bdn</c>.</summary>
internal static class Suites
{
    internal static int Run(string[] args)
    {
        BenchmarkSwitcher.FromTypes([typeof(EmbeddedHotPaths), typeof(HostHotPaths)]).Run(args);
        return 0;
    }
}
