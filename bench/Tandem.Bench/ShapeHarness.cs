using System.Diagnostics;
using Tandem.Bench.Shapes;

namespace Tandem.Bench;

/// <summary>
/// Times one shape on one implementation as ANCHORS.md asks: warm up for at least the asked iterations
/// and at least one second (the tiered JIT), then time each repetition, and print one JSON line with the
/// median and minimum ns per op and the bytes allocated per op (all threads).
/// </summary>
internal static class ShapeHarness
{
    private static readonly TimeSpan MinWarmup = TimeSpan.FromSeconds(1);

    internal static int Run(string impl, string shapeName, int reps, int warmup)
    {
        using var shape = Shape.Create(impl, shapeName);
        Console.Out.WriteLine(Measure(shape, reps, warmup));
        return 0;
    }

    internal static int RunAll(bool quick)
    {
        foreach (var impl in Shape.Impls)
            foreach (var name in Shape.Names)
            {
                using var shape = Shape.Create(impl, name);
                Console.Out.WriteLine(Measure(shape, quick ? 3 : 15, quick ? 1 : 5, quick ? TimeSpan.Zero : MinWarmup));
            }
        return 0;
    }

    private static string Measure(Shape shape, int reps, int warmup, TimeSpan? minWarmup = null)
    {
        var warm = Stopwatch.StartNew();
        int iterations = 0;
        while (iterations < warmup || warm.Elapsed < (minWarmup ?? MinWarmup))
        {
            shape.RunOnce();
            iterations++;
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var nsPerOp = new double[reps];
        long allocated = 0;
        for (int r = 0; r < reps; r++)
        {
            long a0 = GC.GetTotalAllocatedBytes(precise: true);
            long t0 = Stopwatch.GetTimestamp();
            shape.RunOnce();
            long t1 = Stopwatch.GetTimestamp();
            allocated += GC.GetTotalAllocatedBytes(precise: true) - a0;
            nsPerOp[r] = (t1 - t0) * 1e9 / Stopwatch.Frequency / shape.OpsPerIteration;
        }
        Array.Sort(nsPerOp);
        double median = reps % 2 == 1 ? nsPerOp[reps / 2] : (nsPerOp[reps / 2 - 1] + nsPerOp[reps / 2]) / 2;
        double perOp = (double)allocated / ((long)reps * shape.OpsPerIteration);
        Console.Error.WriteLine($"# {shape.Impl}/{shape.Name}: warmup {iterations} iterations; sorted ns/op: " +
                                string.Join(" ", nsPerOp.Select(x => x.ToString("F0"))));
        return $"{{\"impl\":\"{shape.Impl}\",\"shape\":\"{shape.Name}\",\"n\":{shape.OpsPerIteration},\"reps\":{reps}," +
               $"\"median_ns_per_op\":{median:F1},\"min_ns_per_op\":{nsPerOp[0]:F1},\"alloc_bytes_per_op\":{perOp:F1}" +
               (Shape.RandomPriorities ? ",\"priorities\":\"random\"" : "") +
               (shape.Note is { } note ? $",\"note\":\"{note}\"}}" : "}");
    }
}
