using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class DeterminismTests
{
    /// <summary>
    /// A program mixing priorities, yields, virtual-clock delays, spawned children, join sets and
    /// poll functions woken by other tasks; every step appends (task, step, virtual time) to the trace.
    /// </summary>
    private static List<string> RunProgram()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock, MaxTasks = 64 });
        var trace = new List<string>();
        void Log(string task, object step) => trace.Add($"{task}:{step}@{clock.Elapsed.TotalMilliseconds}");

        Waker parked = default;
        int parkedPolls = 0;
        s.Schedule(Priority.High, cx =>
        {
            parked = cx.Waker;
            Log("pollfn", parkedPolls);
            return ++parkedPolls == 3 ? Poll.Ready : Poll.Pending;
        });

        for (int i = 0; i < 6; i++)
        {
            int me = i;
            var p = (Priority)(i % 5);
            _ = s.Spawn(p, async () =>
            {
                for (int k = 0; k < 4; k++)
                {
                    Log($"w{me}", k);
                    if ((me + k) % 3 == 0) await Async.Delay((me * 7 + k * 3) % 11 + 1);
                    else await Async.Yield();
                    if (me == 2 && k == 1) parked.Wake();
                }
            });
        }

        var main = s.Spawn(Priority.Normal, async () =>
        {
            using var set = s.CreateJoinSet<int>(16);
            for (int j = 0; j < 5; j++)
            {
                set.Spawn((Priority)((j * 2) % 5), j, async j =>
                {
                    Log($"j{j}", "start");
                    await Async.Delay((5 - j) * 4);
                    Log($"j{j}", "slept");
                    if (j == 3) parked.Wake();
                    await Async.Yield();
                    Log($"j{j}", "end");
                    return j * 10;
                });
            }
            int sum = 0;
            while (!set.IsEmpty)
            {
                int r = await set.JoinNextAsync();
                Log("main", $"joined {r}");
                sum += r;
            }
            var child = s.Spawn(Priority.Critical, async () => { Log("child", "run"); await Async.Delay(3); return 7; });
            sum += await child;
            Log("main", $"sum {sum}");
            return sum;
        });

        int total = s.BlockOn(main);
        s.RunUntilIdle();
        Log("end", total);
        return trace;
    }

    [Fact]
    public void SameProgramProducesTheSameTraceEveryRun()
    {
        var first = RunProgram();
        for (int run = 0; run < 2; run++) Assert.Equal(first, RunProgram());
        // The trace is substantial and covers every actor.
        Assert.Equal(3 + 6 * 4 + 5 * 3 + 5 + 3, first.Count); // every step of every actor ran
        foreach (var actor in new[] { "pollfn:", "w0:", "w5:", "j0:", "j4:", "main:", "child:" })
            Assert.Contains(first, line => line.StartsWith(actor, StringComparison.Ordinal));
        Assert.Equal("end:107@", first[^1][..8]);
    }

    [Fact]
    public void SameProgramOnDifferentThreadsProducesTheSameTrace()
    {
        var here = RunProgram();
        List<string>? there = null;
        TestUtil.RunOnThread(() => there = RunProgram());
        Assert.Equal(here, there);
    }

    [Fact]
    public void RoundRobinOrderIsReproducibleWithWakesFromOutside()
    {
        static List<int> Run()
        {
            using var s = new EmbeddedScheduler(8);
            var log = new List<int>();
            var wakers = new Waker[6];
            var polls = new int[6];
            for (int i = 0; i < 6; i++)
            {
                int me = i;
                s.Schedule(Priority.Normal, cx => { wakers[me] = cx.Waker; log.Add(me); return ++polls[me] == 4 ? Poll.Ready : Poll.Pending; });
            }
            s.RunUntilIdle();
            foreach (int order in new[] { 5, 1, 3, 0, 2, 4 }) wakers[order].Wake();
            s.RunUntilIdle();
            foreach (int order in new[] { 2, 0, 4 }) wakers[order].Wake();
            s.RunUntilIdle();
            return log;
        }
        var a = Run();
        Assert.Equal(a, Run());
        Assert.Equal(a, Run());
        Assert.Equal(6 + 6 + 3, a.Count);
    }
}
