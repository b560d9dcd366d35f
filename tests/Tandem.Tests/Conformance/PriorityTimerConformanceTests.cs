using System.Collections.Concurrent;
using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Priorities and timers on both tiers. The embedded tier is strict; the host tier keeps the documented guarantee.</summary>
public class PriorityTimerConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void HigherPrioritiesRunFirst(Tier mode) => Bounded.Run(() =>
    {
        // One worker on the host tier: there the guarantee is strict per worker (docs/ARCHITECTURE.md).
        using var rt = mode == RuntimeMode.Embedded
            ? Runtimes.Create(mode)
            : Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 1 });
        var order = rt.BlockOn(Priority.Idle, async () =>
        {
            var log = new ConcurrentQueue<Priority>();
            var hs = new List<JoinHandle>();
            foreach (var p in new[] { Priority.Idle, Priority.Normal, Priority.Low, Priority.Critical, Priority.High })
                hs.Add(rt.Spawn(p, log, static log =>
                {
                    log.Enqueue(Async.CurrentPriority);
                    return TandemTask.CompletedTask;
                }));
            foreach (var h in hs) await h;
            return log.ToArray();
        });
        Assert.Equal([Priority.Critical, Priority.High, Priority.Normal, Priority.Low, Priority.Idle], order);
    });

    /// <summary>A task that changes its priority goes on from the back of the new level: raised above the others, it
    /// runs before them; lowered below them, after them. Later wakes queue it at the new level.</summary>
    [Theory]
    [MemberData(nameof(Runtimes.SingleThreaded), MemberType = typeof(Runtimes))]
    public void ChangePriorityMovesTheTaskToTheNewLevel(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var order = rt.BlockOn(Priority.Idle, async () =>
        {
            var log = new ConcurrentQueue<string>();
            var mover = rt.Spawn(Priority.Low, (rt, log), static async s =>
            {
                var second = s.rt.Spawn(Priority.Normal, s.log, static log =>
                {
                    log.Enqueue("normal 2");
                    return TandemTask.CompletedTask;
                });
                await Async.ChangePriority(Priority.Critical); // ahead of the Normal task it just made ready
                s.log.Enqueue($"raised {Async.CurrentPriority}");
                await Async.ChangePriority(Priority.Idle); // behind that Normal task and the Low one
                s.log.Enqueue($"lowered {Async.CurrentPriority}");
                await second;
            });
            var normal = rt.Spawn(Priority.Normal, log, static async log =>
            {
                log.Enqueue("normal");
                await Async.Yield();
                log.Enqueue("normal again");
            });
            var low = rt.Spawn(Priority.Low, log, static log =>
            {
                log.Enqueue("low");
                return TandemTask.CompletedTask;
            });
            await mover;
            await normal;
            await low;
            return log.ToArray();
        });
        // The Normal task runs (twice: it yields) before the Low mover starts; then the mover, raised, runs before the
        // Normal task it spawned; lowered to Idle, after that task and the Low one.
        Assert.Equal(["normal", "normal again", "raised Critical", "normal 2", "low", "lowered Idle"], order);
    });

    /// <summary>Changing priority outside a task, or to a value that is not a priority, fails at once, naming the fix.</summary>
    [Fact]
    public void ChangePriorityRefusesMisuse()
    {
        var outside = Assert.Throws<InvalidOperationException>(() => Async.ChangePriority(Priority.High));
        Assert.Contains("inside one", outside.Message);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => Async.ChangePriority((Priority)9)).ParamName);
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void DelaysWakeInDeadlineOrder(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var order = rt.BlockOn(async () =>
        {
            var log = new ConcurrentQueue<int>();
            var hs = new List<JoinHandle>();
            foreach (int ms in new[] { 90, 15, 50 })
                hs.Add(rt.Spawn(Priority.Normal, (ms, log), static async st =>
                {
                    await Async.Delay(TimeSpan.FromMilliseconds(st.ms));
                    st.log.Enqueue(st.ms);
                }));
            foreach (var h in hs) await h;
            return log.ToArray();
        });
        Assert.Equal([15, 50, 90], order);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void TimeoutPassesFastWorkAndAbortsSlowWork(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        bool slowUnwound = false;
        var (fast, slow) = rt.BlockOn(async () =>
        {
            int f = await rt.Timeout(TimeSpan.FromSeconds(30), async () =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(1));
                return 7;
            });
            string s;
            try
            {
                await rt.Timeout(TimeSpan.FromMilliseconds(20), async () =>
                {
                    try
                    {
                        await Async.Delay(TimeSpan.FromHours(1));
                    }
                    finally
                    {
                        slowUnwound = true;
                    }
                });
                s = "finished";
            }
            catch (TimeoutException)
            {
                s = "timed out";
            }
            while (!Volatile.Read(ref slowUnwound)) await Async.Yield();
            return (f, s);
        });
        Assert.Equal(7, fast);
        Assert.Equal("timed out", slow);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void IntervalTicks(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        long ticks = rt.BlockOn(async () =>
        {
            var interval = Async.Interval(TimeSpan.FromMilliseconds(5));
            for (int i = 0; i < 4; i++) await interval.TickAsync();
            return interval.Ticks;
        });
        // 4 on time; more when the task was late and missed ticks were skipped (never fewer).
        Assert.InRange(ticks, 4, 100);
    });

    [Fact]
    public void TheEmbeddedTierRunsTimedCodeOnVirtualTime()
    {
        // A behaviour that differs by tier: only the embedded tier takes a virtual clock.
        var clock = new VirtualClock();
        using var rt = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { Clock = clock });
        rt.BlockOn(async () => { await Async.Delay(TimeSpan.FromDays(3)); });
        Assert.Equal(TimeSpan.FromDays(3), clock.Elapsed);
        Assert.Throws<ArgumentException>(() => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { Clock = clock }));
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AZeroTimeoutStillLetsWorkThatIsReadyAtOnceFinish(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int result = rt.BlockOn(async () => await rt.Timeout(TimeSpan.Zero, () => new TandemTask<int>(5)));
        Assert.Equal(5, result);
    });
}
