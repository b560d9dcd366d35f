using System.Diagnostics;
using System.Text.Json;
using Tandem.Embedded;
using Tandem.Host;

namespace Tandem.Bench.Soak;

/// <summary>
/// <c>soak --seconds S</c>: the mixed workload of <see cref="SoakRound"/> on both tiers at once for S seconds, then one
/// JSON line — tasks, lost (spawned but never seen to end), faults injected and surfaced, resident and GC-heap memory and
/// thread counts at the start and the end. Exits 1 when a task was lost, a fault did not surface, or memory grew.
/// </summary>
internal static class SoakRun
{
    internal static int Run(int seconds)
    {
        var c = new SoakCounters();
        var deadline = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        using var host = new HostScheduler(2);
        using var embedded = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 256 });
        foreach (Runtime rt in new Runtime[] { host, embedded })
            rt.UnobservedTaskException += (_, e) =>
            {
                if (e.Exception is InjectedFault) c.Surface();
                c.End();
            };

        // A short warm-up before the baseline: pools, JIT and the blocking pool reach their working size.
        RunRounds(host, embedded, c, Stopwatch.GetTimestamp() + Stopwatch.Frequency);
        var (rssStart, heapStart, threadsStart) = Sample();
        RunRounds(host, embedded, c, deadline);
        host.Shutdown(TimeSpan.FromSeconds(30));
        embedded.Shutdown(TimeSpan.FromSeconds(30));
        var (rssEnd, heapEnd, threadsEnd) = Sample();

        long lost = Interlocked.Read(ref c.Spawned) - Interlocked.Read(ref c.Ended);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds,
            tasks = c.Spawned,
            lost,
            faults_injected = c.FaultsInjected,
            faults_surfaced = c.FaultsSurfaced,
            rss_start_mb = rssStart,
            rss_end_mb = rssEnd,
            gc_heap_start_mb = heapStart,
            gc_heap_end_mb = heapEnd,
            threads_start = threadsStart,
            threads_end = threadsEnd,
        }));
        bool flat = heapEnd <= heapStart * 2 + 16 && rssEnd <= rssStart * 1.5 + 64;
        return lost == 0 && c.FaultsInjected == c.FaultsSurfaced && flat ? 0 : 1;
    }

    private static void RunRounds(HostScheduler host, EmbeddedScheduler embedded, SoakCounters c, long until)
    {
        // The embedded tier on its own thread (it is single-threaded), the host tier driven from this one.
        var embeddedDriver = new Thread(() =>
        {
            for (int round = 0; Stopwatch.GetTimestamp() < until; round++)
                embedded.BlockOn(embedded.Spawn(Priority.Normal, (embedded, c, round), static st => SoakRound.RunAsync(st.embedded, st.c, st.round)));
        }) { Name = "soak embedded" };
        embeddedDriver.Start();
        for (int round = 0; Stopwatch.GetTimestamp() < until; round++)
            host.BlockOn(host.Spawn(Priority.Normal, (host, c, round), static st => SoakRound.RunAsync(st.host, st.c, st.round)));
        embeddedDriver.Join();
    }

    private static (double RssMb, double HeapMb, int Threads) Sample()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (Math.Round(process.WorkingSet64 / 1048576.0, 1), Math.Round(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, 1), process.Threads.Count);
    }
}
