using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostIdleTests
{
    /// <summary>CPU time (user + system, in clock ticks) of this process's threads whose OS name starts with <paramref name="prefix"/>.</summary>
    private static (int threads, long ticks) ThreadCpu(string prefix)
    {
        int threads = 0;
        long ticks = 0;
        foreach (var dir in Directory.GetDirectories("/proc/self/task"))
        {
            string comm;
            string stat;
            try
            {
                comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread exited meanwhile
            }
            if (!comm.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // Fields after the ")" that closes the name: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11]) + long.Parse(fields[12]);
            threads++;
        }
        return (threads, ticks);
    }

    [Fact]
    public void AnIdleRuntimeUsesNoCpu() => Bounded.Run(() =>
    {
        if (!Directory.Exists("/proc/self/task")) return; // Linux only: per-thread CPU comes from procfs
        const string Prefix = "TdIdle"; // the OS keeps 15 characters of a thread's name
        using var s = new HostScheduler(new HostOptions { WorkerCount = 2, ThreadNamePrefix = Prefix });
        // Use it, so that every worker, the timer thread and the blocking pool have run and gone idle.
        s.BlockOn(async () =>
        {
            var hs = Enumerable.Range(0, 100).Select(i => s.Spawn(Priority.Normal, i, static async i =>
            {
                await Async.Delay(1);
                await Async.Yield();
                return i;
            })).ToList();
            foreach (var h in hs) await h;
            await s.SpawnBlocking(() => 1);
        });
        var before = ThreadCpu(Prefix);
        Assert.True(before.threads >= 3, $"expected the scheduler's threads, found {before.threads}");
        Thread.Sleep(1000); // not synchronisation: the measured interval of idleness
        var after = ThreadCpu(Prefix);
        // USER_HZ is 100: at most 2 ticks (20 ms) of CPU over one second across all the scheduler's threads.
        Assert.InRange(after.ticks - before.ticks, 0, 2);
    });
}
