using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class PriorityOrderingTests
{
    [Fact]
    public void StrictPriorityAcrossAllFiveLevels()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        // Spawned lowest first, so spawn order cannot explain the result.
        foreach (var p in Priorities.All.ToArray().Reverse())
        {
            _ = s.Spawn(p, async () =>
            {
                for (int i = 0; i < 3; i++)
                {
                    log.Add($"{p}{i}");
                    await Async.Yield();
                }
            });
        }
        s.RunUntilIdle();
        Assert.Equal(
            ["Critical0", "Critical1", "Critical2", "High0", "High1", "High2", "Normal0", "Normal1", "Normal2",
             "Low0", "Low1", "Low2", "Idle0", "Idle1", "Idle2"],
            log);
    }

    [Fact]
    public void LowerLevelNeverRunsWhileHigherLevelIsReady()
    {
        using var s = new EmbeddedScheduler(32);
        var levels = new List<Priority>();
        var rng = new Random(1234);
        for (int i = 0; i < 20; i++)
        {
            var p = (Priority)rng.Next(5);
            int yields = rng.Next(1, 4);
            _ = s.Spawn(p, async () =>
            {
                for (int k = 0; k < yields; k++)
                {
                    levels.Add(Async.CurrentPriority);
                    await Async.Yield();
                }
            });
        }
        s.RunUntilIdle();
        Assert.NotEmpty(levels);
        for (int i = 1; i < levels.Count; i++) Assert.True(levels[i - 1] <= levels[i], $"{levels[i]} ran before {levels[i - 1]} at {i}");
    }

    [Fact]
    public void RoundRobinWithinALevel()
    {
        using var s = new EmbeddedScheduler();
        const int tasks = 5, rounds = 4;
        var log = new List<int>();
        for (int t = 0; t < tasks; t++)
        {
            int me = t;
            _ = s.Spawn(Priority.Normal, async () =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    log.Add(me);
                    await Async.Yield();
                }
            });
        }
        s.RunUntilIdle();
        Assert.Equal(tasks * rounds, log.Count);
        // Every task runs once before any runs twice: each round is a permutation, here in slot order.
        for (int r = 0; r < rounds; r++)
            Assert.Equal(Enumerable.Range(0, tasks), log.Skip(r * tasks).Take(tasks));
    }

    [Fact]
    public void RoundRobinHoldsWhenTasksAreWokenInReverseOrder()
    {
        using var s = new EmbeddedScheduler();
        const int n = 4;
        var wakers = new Waker[n];
        var log = new List<int>();
        var polls = new int[n];
        for (int t = 0; t < n; t++)
        {
            int me = t;
            s.Schedule(Priority.Normal, cx =>
            {
                wakers[me] = cx.Waker;
                log.Add(me);
                return ++polls[me] == 3 ? Poll.Ready : Poll.Pending;
            });
        }
        s.RunUntilIdle();
        Assert.Equal([0, 1, 2, 3], log);
        for (int round = 0; round < 2; round++)
        {
            log.Clear();
            for (int t = n - 1; t >= 0; t--) wakers[t].Wake();
            s.RunUntilIdle();
            Assert.Equal(n, log.Count);
            Assert.Equal(n, log.Distinct().Count());
        }
    }

    [Fact]
    public void TaskMadeReadyAgainWaitsForItsPeers()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        _ = s.Spawn(async () =>
        {
            for (int i = 0; i < 3; i++) { log.Add($"a{i}"); await Async.Yield(); }
        });
        _ = s.Spawn(async () =>
        {
            log.Add("b0");
            await Async.Yield();
            log.Add("b1");
        });
        _ = s.Spawn(async () =>
        {
            for (int i = 0; i < 3; i++) { log.Add($"c{i}"); await Async.Yield(); }
        });
        s.RunUntilIdle();
        Assert.Equal(["a0", "b0", "c0", "a1", "b1", "c1", "a2", "c2"], log);
    }

    [Fact]
    public void WokenHigherPriorityTaskPreemptsAtNextPick()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        Waker critical = default;
        int criticalPolls = 0;
        s.Schedule(Priority.Critical, cx =>
        {
            critical = cx.Waker;
            log.Add($"C{criticalPolls}");
            return ++criticalPolls == 2 ? Poll.Ready : Poll.Pending;
        });
        for (int t = 0; t < 3; t++)
        {
            int me = t;
            _ = s.Spawn(Priority.Normal, async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    log.Add($"N{me}.{i}");
                    if (me == 0 && i == 0) critical.Wake();
                    await Async.Yield();
                }
            });
        }
        s.RunUntilIdle();
        Assert.Equal(["C0", "N0.0", "C1", "N1.0", "N2.0", "N0.1", "N1.1", "N2.1"], log);
    }

    [Fact]
    public void SpawnedHigherPriorityTaskRunsBeforeSpawnerResumes()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        _ = s.Spawn(Priority.Low, async () =>
        {
            log.Add("low-start");
            _ = s.Spawn(Priority.High, async () => { log.Add("high"); await Async.Yield(); log.Add("high-end"); });
            _ = s.Spawn(Priority.Idle, async () => { log.Add("idle"); await Async.Yield(); });
            await Async.Yield();
            log.Add("low-end");
        });
        s.RunUntilIdle();
        Assert.Equal(["low-start", "high", "high-end", "low-end", "idle"], log);
    }

    [Fact]
    public void TimerWakeOfHigherPriorityPreempts()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var log = new List<string>();
        _ = s.Spawn(Priority.High, async () =>
        {
            await Async.Delay(5);
            log.Add("high");
        });
        _ = s.Spawn(Priority.Normal, async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                log.Add($"n{i}");
                if (i == 0) clock.Advance(TimeSpan.FromMilliseconds(5));
                await Async.Yield();
            }
        });
        s.RunUntilIdle();
        Assert.Equal(["n0", "high", "n1", "n2"], log);
    }

    [Fact]
    public void CurrentPriorityAndIdInsideTask()
    {
        using var s = new EmbeddedScheduler();
        foreach (var p in Priorities.All)
        {
            var h = s.Spawn(p, async () =>
            {
                await Async.Yield();
                return (Async.CurrentPriority, Async.CurrentTaskId, Async.IsInTask);
            });
            var (prio, id, inTask) = s.BlockOn(h);
            Assert.Equal(p, prio);
            Assert.Equal(h.Id, id);
            Assert.True(inTask);
        }
    }

    [Fact]
    public void PollContextCarriesTaskIdAndPriority()
    {
        using var s = new EmbeddedScheduler();
        PollContext seen = default;
        var h = s.Schedule(Priority.Low, cx => { seen = cx; return Poll.Ready; });
        s.BlockOn(h);
        Assert.Equal(h.Id, seen.TaskId);
        Assert.Equal(Priority.Low, seen.Priority);
        Assert.False(seen.Waker.IsNoop);
        var plain = new PollContext(Waker.Noop);
        Assert.Equal(0, plain.TaskId);
        Assert.Equal(Priority.Normal, plain.Priority);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    [InlineData(100)]
    public void SpawningAtAnUndefinedPriorityThrows(int level)
    {
        using var s = new EmbeddedScheduler();
        var p = (Priority)level;
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => s.Spawn(p, async () => { await Async.Yield(); })).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => s.Schedule(p, _ => Poll.Ready)).ParamName);
        Assert.Equal("priority", Assert.Throws<ArgumentOutOfRangeException>(() => s.TrySpawn(p, async () => 1, out _)).ParamName);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void TasksOfALevelRunInTheOrderTheyBecameReady()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<char>();
        var channels = new[] { new OneShot<char>(), new OneShot<char>(), new OneShot<char>() };
        // Three tasks park in slot order A, B, C; a fourth, running in the loop, then wakes them C, A, B.
        for (int i = 0; i < channels.Length; i++)
            _ = s.Spawn(Priority.Normal, (channel: channels[i], log), static async st => st.log.Add(await st.channel.ReceiveAsync()));
        s.RunUntilIdle();
        Assert.Empty(log);
        _ = s.Spawn(Priority.Normal, channels, static ch =>
        {
            ch[2].Send('C');
            ch[0].Send('A');
            ch[1].Send('B');
            return TandemTask.CompletedTask;
        });
        s.RunUntilIdle();
        Assert.Equal(['C', 'A', 'B'], log);
    }

    [Fact]
    public void WakesFromOutsideTheLoopBecomeReadyInSlotOrder()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<char>();
        var channels = new[] { new OneShot<char>(), new OneShot<char>(), new OneShot<char>() };
        for (int i = 0; i < channels.Length; i++)
            _ = s.Spawn(Priority.Normal, (channel: channels[i], log), static async st => st.log.Add(await st.channel.ReceiveAsync()));
        s.RunUntilIdle();
        // Outside the loop a wake is a flag in the waker registry; the loop takes the flags in slot order.
        channels[2].Send('C');
        channels[0].Send('A');
        channels[1].Send('B');
        s.RunUntilIdle();
        Assert.Equal(['A', 'B', 'C'], log);
    }
}
