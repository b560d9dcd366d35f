using System.Runtime.InteropServices;
using SharpFuzz;
using SharpFuzz.Common;

namespace Tandem.Http.Fuzz;

/// <summary>
/// The fuzzing entry point. Under libfuzzer-dotnet (which sets <c>__LIBFUZZER_SHM_ID</c>) it runs libFuzzer's loop;
/// under afl-fuzz (<c>__AFL_SHM_ID</c>) SharpFuzz's fork server; otherwise it runs each file named on the command line,
/// or standard input, once — to replay a crash or check the seeds. See README.md.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID") is not null)
        {
            Fuzzer.LibFuzzer.Run(FuzzTarget.Run);
            return 0;
        }
        if (Environment.GetEnvironmentVariable("__AFL_SHM_ID") is not null)
        {
            Fuzzer.OutOfProcess.Run(stream => FuzzTarget.Run(ReadAll(stream)));
            return 0;
        }
        GiveTheInstrumentationMemory();
        if (args.Length == 0)
        {
            using var stdin = Console.OpenStandardInput();
            Console.WriteLine(FuzzTarget.Describe(ReadAll(stdin)));
            return 0;
        }
        foreach (string path in args.SelectMany(arg => Directory.Exists(arg) ? Directory.GetFiles(arg) : [arg]).Order())
            Console.WriteLine($"{path}: {FuzzTarget.Describe(File.ReadAllBytes(path)).Split('\n')[^1]}");
        return 0;
    }

    /// <summary>
    /// An instrumented <c>Tandem.Http.dll</c> counts its branches in SharpFuzz's shared memory, which only a fuzzer maps;
    /// outside one the pointer is null. A private buffer lets the same build replay inputs.
    /// </summary>
    private static unsafe void GiveTheInstrumentationMemory()
    {
        const int MapSize = 1 << 16; // AFL's and libfuzzer-dotnet's coverage map
        if (Trace.SharedMem == null) Trace.SharedMem = (byte*)NativeMemory.AllocZeroed(MapSize);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
