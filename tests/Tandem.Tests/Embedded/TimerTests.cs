using System.Diagnostics;
using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class TimerTests
{
    private static EmbeddedScheduler Virtual(out VirtualClock clock, int maxTasks = 16)
    {
        clock = new VirtualClock();
        return new EmbeddedScheduler(new EmbeddedOptions { Clock = clock, MaxTasks = maxTasks });
    }

    private static async TandemTask<int> Sleep(int ms, int value, List<int>? log = null)
    {
        await Async.Delay(ms);
        log?.Add(value);
        return value;
    }

    [Fact]
    public void RunUntilIdleDoesNotFireEarly()
    {
        using var s = Virtual(out var clock);
        var fired = new List<int>();
        _ = s.Spawn(async () => { await Async.Delay(10); fired.Add(10); });
        s.RunUntilIdle();
        Assert.Empty(fired);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed); // RunUntilIdle never moves the clock
        clock.Advance(TimeSpan.FromMilliseconds(9.999));
        s.RunUntilIdle();
        Assert.Empty(fired);
        clock.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 1000));
        s.RunUntilIdle();
        Assert.Equal([10], fired);
    }

    [Fact]
    public void AdvanceFiresTimersInDeadlineOrderStepByStep()
    {
        using var s = Virtual(out var clock);
        var fired = new List<int>();
        foreach (int ms in new[] { 30, 10, 50, 20, 40 })
            _ = s.Spawn(async () => { await Async.Delay(ms); fired.Add(ms); });
        s.RunUntilIdle();
        Assert.Empty(fired);
        for (int step = 1; step <= 5; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            s.RunUntilIdle();
            Assert.Equal(Enumerable.Range(1, step).Select(i => i * 10), fired);
        }
    }

    [Fact]
    public void OneAdvanceFiresTimersOfOneTaskInDeadlineOrder()
    {
        // Several delays in flight in one task (through a futures-unordered set): the order in which
        // they complete is the order in which the scheduler fired their timers.
        using var s = Virtual(out var clock);
        var order = new List<int>();
        var h = s.Spawn(async () =>
        {
            using var fu = new FuturesUnordered<int>(8);
            foreach (int ms in new[] { 30, 10, 50, 20, 40 }) fu.Push(Sleep(ms, ms));
            while (!fu.IsEmpty) order.Add(await fu.NextAsync());
        });
        s.RunUntilIdle();
        Assert.Empty(order);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        s.RunUntilIdle();
        Assert.Equal([10, 20, 30, 40, 50], order);
        Assert.True(h.IsFinished);
    }

    [Fact]
    public void EqualDeadlinesFireInTheOrderTheyWereSet()
    {
        using var s = Virtual(out var clock);
        var order = new List<int>();
        s.Spawn(async () =>
        {
            using var fu = new FuturesUnordered<int>(8);
            foreach (int v in new[] { 3, 1, 4, 0, 2 }) fu.Push(Sleep(25, v));
            while (!fu.IsEmpty) order.Add(await fu.NextAsync());
        });
        s.RunUntilIdle();
        clock.Advance(TimeSpan.FromMilliseconds(25));
        s.RunUntilIdle();
        Assert.Equal([3, 1, 4, 0, 2], order);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(2)]
    public void EqualDeadlinesFireInTheOrderTheyWereSetWhetherOrNotTheyCameInOrder(int? timerCapacity)
    {
        // 10, 10 and 20 come in order; each 5 and the last 10 come after a later deadline. Ties are broken by the order
        // of setting across both kinds, and a small capacity sends in-order timers the out-of-order way too.
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock, TimerCapacity = timerCapacity });
        var order = new List<int>();
        s.Spawn(async () =>
        {
            using var fu = new FuturesUnordered<int>(8);
            int value = 0;
            foreach (int ms in new[] { 10, 5, 10, 5, 20, 10 }) fu.Push(Sleep(ms, value++));
            while (!fu.IsEmpty) order.Add(await fu.NextAsync());
        });
        s.RunUntilIdle();
        clock.Advance(TimeSpan.FromMilliseconds(20));
        s.RunUntilIdle();
        Assert.Equal([1, 3, 0, 2, 5, 4], order);
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, 1)]
    [InlineData(3, 7)]
    [InlineData(4, 100)]
    public void TimersFireInDeadlineOrderThenInTheOrderSetWhateverOrderTheyCameIn(int seed, int? timerCapacity)
    {
        // Mostly one delay (timers that come in firing order), some others (earlier and later ones, and ties with the
        // first kind across clock moves), with some timers firing in between: the firing order is the sort by deadline,
        // then by the order set.
        var random = new Random(seed);
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock, MaxTasks = 512, TimerCapacity = timerCapacity });
        var fired = new List<int>();
        var set = new List<(TimeSpan Due, int Index)>();
        for (int i = 0; i < 400; i++)
        {
            int ms = random.Next(4) == 0 ? random.Next(1, 50) : 30;
            int me = i;
            set.Add((clock.Elapsed + TimeSpan.FromMilliseconds(ms), i));
            _ = s.Spawn(async () => { await Async.Delay(ms); fired.Add(me); });
            s.RunUntilIdle(); // the task sets its timer now
            if (random.Next(8) == 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 5)));
                s.RunUntilIdle();
            }
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        s.RunUntilIdle();
        Assert.Equal(set.OrderBy(t => t.Due).ThenBy(t => t.Index).Select(t => t.Index), fired);
        Assert.Equal(0, s.TimerEntries);
    }

    [Fact]
    public void EqualDeadlinesAcrossTasksWithBlockOn()
    {
        // Tasks set their equal-deadline timers in reverse slot order (more yields first);
        // every timer fires at once, and every task resumes exactly once.
        using var s = Virtual(out var clock);
        var fired = new List<int>();
        var hs = new List<JoinHandle>();
        for (int i = 0; i < 4; i++)
        {
            int me = i;
            hs.Add(s.Spawn(async () =>
            {
                for (int k = 0; k < 4 - me; k++) await Async.Yield();
                await Async.Delay(TimeSpan.FromSeconds(1));
                fired.Add(me);
            }));
        }
        s.BlockOn(s.Spawn(Priority.Idle, async () => { foreach (var h in hs) await h; }));
        Assert.Equal(TimeSpan.FromSeconds(1), clock.Elapsed);
        Assert.Equal(4, fired.Count);
        Assert.Equal(4, fired.Distinct().Count());
    }

    [Fact]
    public void BlockOnAutoAdvancesTheVirtualClock()
    {
        using var s = Virtual(out var clock);
        var sw = Stopwatch.StartNew();
        var elapsed = s.BlockOn(async () =>
        {
            await Async.Delay(TimeSpan.FromHours(5));
            await Async.Delay(TimeSpan.FromDays(3));
            return clock.Elapsed;
        });
        Assert.Equal(TimeSpan.FromHours(5) + TimeSpan.FromDays(3), elapsed);
        Assert.Equal(elapsed, clock.Elapsed);
        Assert.True(sw.Elapsed < TestUtil.Bound);
    }

    [Fact]
    public void BlockOnAutoAdvanceVisitsDeadlinesInOrder()
    {
        using var s = Virtual(out var clock);
        var fired = new List<(int, TimeSpan)>();
        var hs = new List<JoinHandle>();
        foreach (int ms in new[] { 300, 100, 500, 200, 400 })
            hs.Add(s.Spawn(async () => { await Async.Delay(ms); fired.Add((ms, clock.Elapsed)); }));
        s.BlockOn(s.Spawn(Priority.Idle, async () => { foreach (var h in hs) await h; }));
        Assert.Equal(new[] { 100, 200, 300, 400, 500 }.Select(ms => (ms, TimeSpan.FromMilliseconds(ms))), fired);
    }

    [Fact]
    public void DelayIsMeasuredFromWhenItIsAwaited()
    {
        using var s = Virtual(out var clock);
        var at = s.BlockOn(async () =>
        {
            await Async.Delay(100);
            var first = clock.Elapsed;
            await Async.Delay(50);
            return (first, clock.Elapsed);
        });
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150)), at);
    }

    [Fact]
    public void ZeroDelayDoesNotSuspendOrTouchTheClock()
    {
        using var s = Virtual(out var clock);
        int polls = 0;
        var h = s.Spawn(async () =>
        {
            await Async.Delay(0);
            await Async.Delay(TimeSpan.Zero);
            return 1;
        });
        polls = s.RunUntilIdle();
        Assert.Equal(1, polls);
        Assert.Equal(1, h.GetResult());
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
    }

    [Fact]
    public void AutoAdvanceOffLeavesTheClockToTheTest()
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var h = s.Spawn(async () => { await Async.Delay(50); return clock.Elapsed; });
        long steps = 0;
        bool done = false;
        Exception? error = null;
        // Another thread moves the clock in 7 ms steps; each step unparks BlockOn.
        var ticker = TestUtil.StartThread(() =>
        {
            var sw = Stopwatch.StartNew();
            while (!Volatile.Read(ref done) && sw.Elapsed < TestUtil.Bound)
            {
                clock.Advance(TimeSpan.FromMilliseconds(7));
                Interlocked.Increment(ref steps);
                Thread.Yield();
            }
        }, e => error = e);
        TimeSpan woke;
        try
        {
            woke = s.BlockOn(h);
        }
        finally
        {
            Volatile.Write(ref done, true);
            TestUtil.JoinOrFail(ticker);
        }
        Assert.Null(error);
        Assert.True(woke >= TimeSpan.FromMilliseconds(50));
        // Only the test's steps moved the clock: no jump straight to the 50 ms deadline.
        Assert.Equal(TimeSpan.FromMilliseconds(7 * Interlocked.Read(ref steps)), clock.Elapsed);
        Assert.Equal(0, clock.Elapsed.Ticks % TimeSpan.FromMilliseconds(7).Ticks);
    }

    [Fact]
    public void AutoAdvanceOffWithRunUntilIdle()
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var h = s.Spawn(async () => { await Async.Delay(TimeSpan.FromMinutes(1)); return 1; });
        s.RunUntilIdle();
        Assert.False(h.IsFinished);
        clock.Advance(TimeSpan.FromSeconds(59));
        s.RunUntilIdle();
        Assert.False(h.IsFinished);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, s.BlockOn(h));
    }

    [Fact]
    public void ParkedBlockOnWakesWhenTheTestAdvancesTheClock()
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var registered = new ManualResetEventSlim();
        var h = s.Spawn(async () =>
        {
            var delay = Async.Delay(TimeSpan.FromSeconds(30));
            registered.Set();
            await delay;
            return clock.Elapsed;
        });
        Exception? error = null;
        TimeSpan woke = default;
        var driver = TestUtil.StartThread(() => woke = s.BlockOn(h), e => error = e);
        Assert.True(registered.Wait(TestUtil.Bound));
        TestUtil.WaitUntilBlocked(driver);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed); // parked, not advanced
        Assert.False(h.IsFinished);
        // Advance generously: the timer was set at or after time zero.
        for (int i = 0; i < 4 && driver.IsAlive; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            driver.Join(TimeSpan.FromSeconds(5));
        }
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.True(woke >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void RealClockShortDelayCompletesUnderBlockOn()
    {
        using var s = new EmbeddedScheduler();
        Exception? error = null;
        TimeSpan measured = default;
        var driver = TestUtil.StartThread(() =>
        {
            var sw = Stopwatch.StartNew();
            s.BlockOn(async () => { await Async.Delay(20); });
            measured = sw.Elapsed;
        }, e => error = e);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.True(measured >= TimeSpan.FromMilliseconds(19), $"woke after {measured}");
    }

    [Fact]
    public void RealClockDelaysFireInOrder()
    {
        using var s = new EmbeddedScheduler();
        var fired = new List<int>();
        var hs = new List<JoinHandle>();
        foreach (int ms in new[] { 40, 5, 20 })
            hs.Add(s.Spawn(async () => { await Async.Delay(ms); fired.Add(ms); }));
        TestUtil.RunOnThread(() => s.BlockOn(s.Spawn(Priority.Idle, async () => { foreach (var h in hs) await h; })));
        Assert.Equal([5, 20, 40], fired);
    }

    [Fact]
    public void VirtualClockBasics()
    {
        var epoch = new DateTimeOffset(2020, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var clock = new VirtualClock(epoch);
        Assert.True(clock.AutoAdvance);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
        Assert.Equal(epoch, clock.GetUtcNow());
        Assert.Equal(TimeSpan.TicksPerSecond, clock.TimestampFrequency);
        long t0 = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
        Assert.Equal(epoch.AddSeconds(2), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(2), clock.GetElapsedTime(t0));
        clock.Advance(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new VirtualClock().GetUtcNow());
    }

    [Fact]
    public void VirtualClockRefusesToGoBack()
    {
        var clock = new VirtualClock();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
        Assert.Equal("by", e.ParamName);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
    }

    [Fact]
    public void SchedulerExposesItsClock()
    {
        using var s = Virtual(out var clock);
        Assert.Same(clock, s.Clock);
    }

    [Fact]
    public void OneClockDrivesTwoSchedulers()
    {
        var clock = new VirtualClock();
        using var a = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        using var b = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var ha = a.Spawn(async () => { await Async.Delay(10); return 1; });
        var hb = b.Spawn(async () => { await Async.Delay(20); return 2; });
        a.RunUntilIdle();
        b.RunUntilIdle();
        clock.Advance(TimeSpan.FromMilliseconds(20));
        a.RunUntilIdle();
        b.RunUntilIdle();
        Assert.Equal(1, ha.GetResult());
        Assert.Equal(2, hb.GetResult());
    }
}
