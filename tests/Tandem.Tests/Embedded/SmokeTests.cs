using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class SmokeTests
{
    [Fact]
    public void AsyncMethodRunsAndReturns()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        var h = s.Spawn(async () =>
        {
            log.Add("a");
            await Async.Yield();
            log.Add("b");
            return 42;
        });
        Assert.Equal(42, s.BlockOn(h));
        Assert.Equal(["a", "b"], log);
    }

    [Fact]
    public void PrioritiesAndRoundRobin()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        foreach (var (name, p) in new[] { ("low", Priority.Low), ("n1", Priority.Normal), ("crit", Priority.Critical), ("n2", Priority.Normal) })
        {
            s.Spawn(p, async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    log.Add($"{name}{i}");
                    await Async.Yield();
                }
            });
        }
        s.RunUntilIdle();
        Assert.Equal(["crit0", "crit1", "n10", "n20", "n11", "n21", "low0", "low1"], log);
    }

    [Fact]
    public void DelayOnVirtualClock()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var h = s.Spawn(async () =>
        {
            await Async.Delay(TimeSpan.FromSeconds(10));
            return clock.Elapsed;
        });
        Assert.Equal(TimeSpan.FromSeconds(10), s.BlockOn(h));
    }

    [Fact]
    public void ExceptionReachesJoiner()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn<int>(async () =>
        {
            await Async.Yield();
            throw new InvalidOperationException("boom");
        });
        var e = Assert.Throws<InvalidOperationException>(() => s.BlockOn(h));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void AbortRunsFinally()
    {
        using var s = new EmbeddedScheduler();
        bool ranFinally = false;
        var h = s.Spawn(async () =>
        {
            try { await Async.Delay(TimeSpan.FromHours(1)); }
            finally { ranFinally = true; }
        });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.True(ranFinally);
        Assert.True(h.IsFinished);
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
    }

    [Fact]
    public void TaskAwaitResumesOnScheduler()
    {
        using var s = new EmbeddedScheduler();
        int thread = Environment.CurrentManagedThreadId;
        var h = s.Spawn(async () =>
        {
            await Task.Delay(5);
            return Environment.CurrentManagedThreadId;
        });
        Assert.Equal(thread, s.BlockOn(h));
    }
}
