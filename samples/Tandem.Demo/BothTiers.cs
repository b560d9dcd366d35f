using System.Collections.Concurrent;
using Tandem;

namespace Tandem.Demo;

/// <summary>One program, both tiers: <see cref="Runtime.WithMode"/> picks the tier, the code stays the same.</summary>
internal static class BothTiers
{
    internal static void Run()
    {
        Console.WriteLine();
        Console.WriteLine("2. The same program on both tiers (Runtime.WithMode)");
        Console.WriteLine("   Look for: the same start order (Critical, Normal, Low), sum and timeout on the embedded and the host tier.");
        foreach (var mode in new[] { RuntimeMode.Embedded, RuntimeMode.Host })
        {
            using var runtime = Runtime.WithMode(mode, new RuntimeOptions { MaxTasks = 64, WorkerCount = 2 });
            var (order, total, timedOut) = runtime.BlockOn(Priority.Idle, async () =>
            {
                var started = new ConcurrentQueue<string>();
                using var set = runtime.CreateJoinSet<int>();
                foreach (var priority in new[] { Priority.Low, Priority.Critical, Priority.Normal })
                    set.Spawn(priority, (priority, started), static async st =>
                    {
                        st.started.Enqueue(st.priority.ToString());
                        await Async.Delay(TimeSpan.FromMilliseconds(5));
                        return st.priority.ToInt32();
                    });
                int sum = 0;
                while (!set.IsEmpty) sum += await set.JoinNextAsync();

                bool expired = false;
                try
                {
                    await runtime.Timeout(TimeSpan.FromMilliseconds(10), async () => { await Async.Delay(TimeSpan.FromSeconds(5)); });
                }
                catch (TimeoutException)
                {
                    expired = true;
                }
                return (string.Join(" > ", started), sum, expired);
            });
            Console.WriteLine($"   {mode,-8}: started {order}; sum of levels {total}; slow work timed out: {timedOut}");
        }
    }
}
