using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class AllocationTests
{
    private sealed class Counter { public int Value; }

    private static long Measure(Action cycle, int warmup = 200, int cycles = 2000) => AllocationMeter.MedianBytes(cycle, warmup, cycles);

    [Fact]
    public void AsyncSpawnYieldJoinAllocatesNothing()
    {
        using var s = new EmbeddedScheduler(64);
        var counter = new Counter();
        var handles = new JoinHandle<int>[32];
        long bytes = Measure(() =>
        {
            for (int i = 0; i < handles.Length; i++)
                handles[i] = s.Spawn(Priority.Normal, counter, static async c =>
                {
                    for (int k = 0; k < 3; k++) await Async.Yield();
                    return ++c.Value;
                });
            s.RunUntilIdle();
            for (int i = 0; i < handles.Length; i++) handles[i].GetResult();
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void TwoSchedulersOnOneThreadEachRecycleTheirOwnBodies()
    {
        // Bodies are pooled per scheduler: two schedulers driven by one thread, spawning the same body type in turns,
        // neither allocate once warm nor see each other's tasks (a handle of one stays its own task's).
        using var a = new EmbeddedScheduler(8);
        using var b = new EmbeddedScheduler(8);
        var counter = new Counter();
        int wrong = 0;
        long bytes = Measure(() =>
        {
            var fromA = a.Spawn(Priority.Normal, counter, static async c => { await Async.Yield(); return 1; });
            var fromB = b.Spawn(Priority.Normal, counter, static async c => { await Async.Yield(); return 2; });
            if (b.BlockOn(fromB) != 2) wrong++;
            if (a.BlockOn(fromA) != 1) wrong++;
        });
        Assert.Equal(0, wrong);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void AsyncJoinInsideTaskAllocatesNothing()
    {
        using var s = new EmbeddedScheduler(64);
        var counter = new Counter();
        long bytes = Measure(() =>
        {
            var parent = s.Spawn(Priority.High, (s, counter), static async st =>
            {
                int sum = 0;
                for (int i = 0; i < 8; i++)
                {
                    var child = st.s.Spawn(Priority.Normal, st.counter, static async c =>
                    {
                        await Async.Yield();
                        return ++c.Value;
                    });
                    sum += await child;
                }
                return sum;
            });
            s.BlockOn(parent);
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void PollFunctionsAllocateNothing()
    {
        using var s = new EmbeddedScheduler(64);
        var counter = new Counter();
        var handles = new JoinHandle<int>[32];
        long bytes = Measure(() =>
        {
            for (int i = 0; i < handles.Length; i++)
                handles[i] = s.Schedule(Priority.Low, counter, static (c, cx) =>
                {
                    if (++c.Value % 3 != 0)
                    {
                        cx.Waker.Wake();
                        return Poll<int>.Pending;
                    }
                    return c.Value;
                });
            s.RunUntilIdle();
            for (int i = 0; i < handles.Length; i++) handles[i].GetResult();
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void DelaysOnVirtualClockAllocateNothing()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 64, Clock = clock });
        var counter = new Counter();
        long bytes = Measure(() =>
        {
            var h = s.Spawn(Priority.Normal, counter, static async c =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(5));
                return ++c.Value;
            });
            s.BlockOn(h);
        });
        Assert.Equal(0, bytes);
    }
}
