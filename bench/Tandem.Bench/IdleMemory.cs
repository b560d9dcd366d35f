using System.Diagnostics;
using Tandem.Bench.Shapes;
using Tandem;

namespace Tandem.Bench;

/// <summary>
/// Bytes per idle task, as the contract in ANCHORS.md counts them: start many tasks that each park on a never-signalled
/// one-shot channel, and divide the growth of resident memory, counted from before the runtime is built, by their
/// number (<c>bytes_per_task</c>: the runtime's own structures — the embedded tier's pre-allocated slots, queues,
/// registry and timer heap — and the channels included). The growth of the managed heap over the parking alone is
/// reported beside it (<c>managed_bytes_per_task</c>). The host tier parks 1,000,000 tasks; the embedded tier as many as
/// its largest capacity holds.
/// </summary>
internal static class IdleMemory
{
    internal static int Run(string impl)
    {
        int n = impl == "tandem-embedded" ? Embedded.EmbeddedOptions.MaxCapacity - 1 : 1_000_000;
        GC.GetTotalMemory(forceFullCollection: true);
        long rssBeforeRuntime = Resident();
        using var runtime = impl == "tandem-embedded"
            ? Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = Embedded.EmbeddedOptions.MaxCapacity })
            : Shape.CreateRuntime(impl);

        // Warm-up: the paths and pools, with a small batch that is then released.
        Park(runtime, 1000, out var warm);
        foreach (var channel in warm) channel.Send(0);
        Drain(runtime);

        long gc0 = GC.GetTotalMemory(forceFullCollection: true);
        long ws0 = WorkingSet();
        Park(runtime, n, out var channels);
        long gc1 = GC.GetTotalMemory(forceFullCollection: true);
        long ws1 = WorkingSet();
        long rss1 = Resident();
        // For a look at the heap with the tasks parked (`dotnet-gcdump collect -p <pid>`): stay this long first.
        if (int.TryParse(Environment.GetEnvironmentVariable("TANDEM_BENCH_PAUSE_SECONDS"), out int pause) && pause > 0)
        {
            Console.Error.WriteLine($"parked {n} tasks; process {Environment.ProcessId} waits {pause} s");
            Thread.Sleep(TimeSpan.FromSeconds(pause));
        }
        GC.KeepAlive(channels);

        Console.Out.WriteLine($"{{\"impl\":\"{impl}\",\"shape\":\"idle_tasks\",\"n\":{n}," +
                              $"\"bytes_per_task\":{(double)(rss1 - rssBeforeRuntime) / n:F1}," +
                              $"\"managed_bytes_per_task\":{(double)(gc1 - gc0) / n:F1},\"ws_bytes_per_task_after_start\":{(double)(ws1 - ws0) / n:F1}}}");
        return 0;
    }

    private static void Park(Runtime runtime, int n, out OneShot<int>[] channels)
    {
        channels = new OneShot<int>[n];
        var started = new StrongBox();
        for (int i = 0; i < n; i++)
        {
            var channel = channels[i] = new OneShot<int>();
            runtime.Spawn(Priority.Normal, (channel, started), static async st =>
            {
                Interlocked.Increment(ref st.started.Count);
                return await st.channel.ReceiveAsync();
            }).Detach();
        }
        // Until every task has run to its await (on the embedded tier, by driving it here).
        runtime.BlockOn(runtime.Spawn(Priority.Idle, (started, n), static async st =>
        {
            while (Volatile.Read(ref st.started.Count) < st.n) await Async.Yield();
            return 0;
        }));
    }

    private static void Drain(Runtime runtime) =>
        runtime.BlockOn(runtime.Spawn(Priority.Idle, runtime, static async rt =>
        {
            while (rt.TaskCount > 1) await Async.Yield();
            return 0;
        }));

    /// <summary>Resident memory now (Linux: /proc/self/statm's resident pages; elsewhere the working set).</summary>
    private static long Resident()
    {
        if (File.Exists("/proc/self/statm"))
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1]) * Environment.SystemPageSize;
        }
        return WorkingSet();
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    private sealed class StrongBox
    {
        internal int Count;
    }
}
