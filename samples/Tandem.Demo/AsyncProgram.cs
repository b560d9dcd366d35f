using System.Diagnostics;
using Tandem;
using Tandem.Embedded;

namespace Tandem.Demo;

/// <summary>
/// A real async program on the embedded tier: tasks at several priorities, a join set, a timer,
/// an abort and a caught task exception, printing the order in which things ran.
/// </summary>
internal static class AsyncProgram
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    internal static void Run()
    {
        Console.WriteLine("1. An async program on the embedded tier");
        Console.WriteLine("   Look for: each step of the Critical worker runs before Normal's and Low's; the sleeper wakes after");
        Console.WriteLine("   about 50 ms; the aborted task's finally block runs; the faulting task's exception reaches its joiner.");
        using var scheduler = new EmbeddedScheduler(maxTasks: 32);
        scheduler.UnobservedTaskException += (_, e) => Log($"unobserved exception from task {e.TaskId}: {e.Exception.Message}");

        int total = scheduler.BlockOn(async () =>
        {
            Log("main: spawning workers at Low, Normal and Critical priority");
            using var workers = scheduler.CreateJoinSet<int>();
            foreach (var (name, priority) in new[] { ("low", Priority.Low), ("normal", Priority.Normal), ("critical", Priority.Critical) })
            {
                workers.Spawn(priority, async () =>
                {
                    for (int step = 1; step <= 2; step++)
                    {
                        Log($"  {name,-8} step {step}");
                        await Async.Yield();
                    }
                    return name.Length;
                });
            }

            var sleeper = scheduler.Spawn(Priority.Normal, async () =>
            {
                Log("  sleeper: waiting 50 ms on the scheduler's timer");
                await Async.Delay(TimeSpan.FromMilliseconds(50));
                Log("  sleeper: woke up");
                return 50;
            });

            var doomed = scheduler.Spawn(Priority.Low, async () =>
            {
                try
                {
                    Log("  doomed: sleeping for an hour");
                    await Async.Delay(TimeSpan.FromHours(1));
                    Log("  doomed: this line never prints");
                }
                finally
                {
                    Log("  doomed: finally block ran after abort");
                }
            });

            var faulty = scheduler.Spawn<int>(Priority.High, async () =>
            {
                await Async.Yield();
                throw new InvalidOperationException("sensor offline");
            });

            int sum = 0;
            while (!workers.IsEmpty)
            {
                int length = await workers.JoinNextAsync();
                Log($"main: joined a worker (result {length})");
                sum += length;
            }

            try
            {
                await faulty;
            }
            catch (InvalidOperationException e)
            {
                Log($"main: caught the faulty task's exception: {e.Message}");
            }

            doomed.Abort();
            try
            {
                await doomed;
            }
            catch (TaskAbortedException)
            {
                Log("main: the doomed task reports it was aborted");
            }

            sum += await sleeper;
            Log($"main: all done, sum = {sum}");
            return sum;
        });
        Console.WriteLine($"   BlockOn returned {total}; tasks left: {scheduler.TaskCount}");
    }

    private static void Log(string text) => Console.WriteLine($"   [{s_clock.ElapsedMilliseconds,4} ms] {text}");
}
