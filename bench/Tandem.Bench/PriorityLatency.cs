using System.Diagnostics;
using Tandem;

namespace Tandem.Bench;

/// <summary>
/// The priority shape: the pool saturated with Normal work (more runnable work items than workers, each a
/// 20 µs slice that yields and goes again) while Critical tasks arrive from outside, one every millisecond.
/// Reports the Critical tasks' start latency (spawn to first line), p50 and p99, for the host tier and for
/// the .NET ThreadPool doing the same work (which has no priorities: its "Critical" items queue behind).
/// </summary>
internal static class PriorityLatency
{
    private const int Saturators = 8;
    private static readonly long SliceTicks = Stopwatch.Frequency / 50_000; // 20 µs

    internal static int Run(string impl, int samples)
    {
        var latencies = impl switch
        {
            "tandem-host" => RunTandem(samples),
            "dotnet-threadpool" => RunThreadPool(samples),
            _ => throw new ArgumentException($"unknown impl '{impl}': tandem-host or dotnet-threadpool"),
        };
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))] * 1e6 / Stopwatch.Frequency;
        Console.Out.WriteLine($"{{\"impl\":\"{impl}\",\"shape\":\"priority_latency\",\"n\":{samples},\"saturating_tasks\":{Saturators}," +
                              $"\"p50_us\":{P(0.50):F1},\"p99_us\":{P(0.99):F1},\"max_us\":{P(1.0):F1}}}");
        return 0;
    }

    private static void Spin()
    {
        long end = Stopwatch.GetTimestamp() + SliceTicks;
        while (Stopwatch.GetTimestamp() < end) { }
    }

    private static long[] RunTandem(int samples)
    {
        using var runtime = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 2 });
        var stop = new StrongBool();
        var saturators = Enumerable.Range(0, Saturators).Select(_ => runtime.Spawn(Priority.Normal, stop, static async s =>
        {
            while (!s.Value)
            {
                Spin();
                await Async.Yield();
            }
        })).ToList();
        var latencies = new long[samples];
        for (int i = 0; i < samples; i++)
        {
            Thread.Sleep(1); // the arrival rate of the Critical work, not synchronisation
            long spawned = Stopwatch.GetTimestamp();
            var h = runtime.Spawn(Priority.Critical, spawned, static s => new TandemTask<long>(Stopwatch.GetTimestamp() - s));
            latencies[i] = runtime.BlockOn(h);
        }
        stop.Value = true;
        foreach (var s in saturators) runtime.BlockOn(s);
        return latencies;
    }

    private static long[] RunThreadPool(int samples)
    {
        var stop = new StrongBool();
        var saturators = Enumerable.Range(0, Saturators).Select(_ => Task.Run(async () =>
        {
            while (!stop.Value)
            {
                Spin();
                await Task.Yield();
            }
        })).ToList();
        var latencies = new long[samples];
        for (int i = 0; i < samples; i++)
        {
            Thread.Sleep(1);
            long spawned = Stopwatch.GetTimestamp();
            latencies[i] = Task.Run(() => Stopwatch.GetTimestamp() - spawned).GetAwaiter().GetResult();
        }
        stop.Value = true;
        Task.WaitAll(saturators);
        return latencies;
    }

    private sealed class StrongBool
    {
        internal volatile bool Value;
    }
}
