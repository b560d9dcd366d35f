using Tandem;

namespace Tandem.Top;

/// <summary>
/// A small service-shaped workload to watch: a Critical heartbeat, bursts of High request handlers, Normal workers that
/// compute in slices, a Low batch job that sometimes blocks its worker (the mistake the stall detector is for), and an
/// Idle compaction.
/// </summary>
internal static class Workload
{
    /// <summary>Spawns the workload's long-lived tasks on <paramref name="runtime"/>; they run until it shuts down.</summary>
    public static void Start(Runtime runtime)
    {
        runtime.Spawn(Priority.Critical, static async () =>
        {
            Async.NameTask("heartbeat");
            while (true) await Async.Delay(TimeSpan.FromMilliseconds(10));
        }).Detach();

        runtime.Spawn(Priority.High, static async () =>
        {
            Async.NameTask("request acceptor");
            var runtime = Runtime.Current!;
            while (true)
            {
                for (int i = 0; i < 20; i++) runtime.Spawn(Priority.High, static () => HandleRequest()).Detach();
                await Async.Delay(TimeSpan.FromMilliseconds(20));
            }
        }).Detach();

        for (int w = 0; w < 3; w++)
        {
            runtime.Spawn(Priority.Normal, w, static async worker =>
            {
                Async.NameTask($"worker {worker}");
                while (true)
                {
                    Compute(TimeSpan.FromMilliseconds(2));
                    await Async.Yield();
                    await Async.Delay(TimeSpan.FromMilliseconds(5));
                }
            }).Detach();
        }

        runtime.Spawn(Priority.Low, static async () =>
        {
            Async.NameTask("nightly report");
            while (true)
            {
                await Async.Delay(TimeSpan.FromMilliseconds(700));
                Thread.Sleep(Random.Shared.Next(120, 260)); // a synchronous call where an await belonged: a long poll
            }
        }).Detach();

        runtime.Spawn(Priority.Idle, static async () =>
        {
            Async.NameTask("compaction");
            while (true)
            {
                Compute(TimeSpan.FromMilliseconds(1));
                await Async.Yield();
            }
        }).Detach();
    }

    private static async TandemTask HandleRequest()
    {
        for (int i = 0; i < 3; i++)
        {
            Compute(TimeSpan.FromMicroseconds(50));
            await Async.Yield();
        }
    }

    /// <summary>Spins for <paramref name="duration"/>: CPU work that holds the worker, as real computation would.</summary>
    private static void Compute(TimeSpan duration)
    {
        long end = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (System.Diagnostics.Stopwatch.GetTimestamp() < end) Thread.SpinWait(20);
    }
}
