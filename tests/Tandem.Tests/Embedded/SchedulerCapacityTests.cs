using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

#pragma warning disable CS1998

public class SchedulerCapacityTests
{
    private static Func<TandemTask<int>> Yielding(int value, int yields = 1) => async () =>
    {
        for (int i = 0; i < yields; i++) await Async.Yield();
        return value;
    };

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(262_145)]
    [InlineData(int.MinValue)]
    public void ConstructorRejectsOutOfRangeCapacity(int maxTasks)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddedScheduler(maxTasks));
        Assert.Equal("maxTasks", e.ParamName);
        Assert.Equal(maxTasks, e.ActualValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(262_145)]
    public void OptionsRejectOutOfRangeCapacity(int maxTasks)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = maxTasks }));
        Assert.Equal(nameof(EmbeddedOptions.MaxTasks), e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(262_145)]
    public void OptionsRejectOutOfRangeTimerCapacity(int timers)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddedScheduler(new EmbeddedOptions { TimerCapacity = timers }));
        Assert.Equal(nameof(EmbeddedOptions.TimerCapacity), e.ParamName);
    }

    [Fact]
    public void NullOptionsAndClockRejected()
    {
        Assert.Throws<ArgumentNullException>(() => new EmbeddedScheduler((EmbeddedOptions)null!));
        Assert.Throws<ArgumentNullException>(() => new EmbeddedScheduler(new EmbeddedOptions { Clock = null! }));
    }

    [Fact]
    public void CapacityOneWorks()
    {
        using var s = new EmbeddedScheduler(1);
        Assert.Equal(1, s.Capacity);
        Assert.Equal(3, s.BlockOn(s.Spawn(Yielding(3))));
        Assert.Equal(4, s.BlockOn(s.Spawn(Yielding(4))));
    }

    [Fact]
    public void LargeCapacityWorksAtEveryCorner()
    {
        const int n = 65_536;
        using var s = new EmbeddedScheduler(n);
        Assert.Equal(n, s.Capacity);
        var handles = new JoinHandle<int>[n];
        for (int i = 0; i < n; i++) handles[i] = s.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i; });
        Assert.Equal(n, s.TaskCount);
        Assert.False(s.TrySpawn(Priority.Normal, Yielding(0), out _));
        int polls = s.RunUntilIdle();
        Assert.Equal(2 * n, polls);
        Assert.Equal(0, s.TaskCount);
        for (int i = 0; i < n; i++) Assert.Equal(i, handles[i].GetResult());
    }

    [Fact]
    public void MaximumCapacityIsAccepted()
    {
        using var s = new EmbeddedScheduler(EmbeddedOptions.MaxCapacity);
        Assert.Equal(262_144, s.Capacity);
        Assert.Equal(1, s.BlockOn(s.Spawn(Yielding(1))));
    }

    [Fact]
    public void TrySpawnReturnsFalseWhenFullAndOthersStillComplete()
    {
        using var s = new EmbeddedScheduler(3);
        var hs = new[] { s.Spawn(Yielding(10, 3)), s.Spawn(Yielding(20, 1)), s.Spawn(Yielding(30, 2)) };
        Assert.False(s.TrySpawn(Priority.Normal, Yielding(99), out var none));
        Assert.Equal(0, none.Id);
        Assert.False(s.TrySpawn(Priority.High, async () => { await Async.Yield(); }, out _));
        Assert.False(s.TrySchedule(Priority.Normal, 0, static (int _, PollContext _) => Poll<int>.Ready(1), out _));
        Assert.False(s.TrySpawn(Priority.Normal, new ReadyFuture(1), out _));
        Assert.Equal(3, s.TaskCount);
        s.RunUntilIdle();
        Assert.Equal([10, 20, 30], hs.Select(h => h.GetResult()).ToArray());
        Assert.True(s.TrySpawn(Priority.Normal, Yielding(40), out var h4));
        Assert.Equal(40, s.BlockOn(h4));
    }

    [Fact]
    public void SpawnWhenFullThrowsCapacityExceeded()
    {
        using var s = new EmbeddedScheduler(2);
        var a = s.Spawn(Yielding(1));
        var b = s.Spawn(Yielding(2));
        var e = Assert.Throws<CapacityExceededException>(() => s.Spawn(Yielding(3)));
        Assert.Equal(2, e.Capacity);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
        Assert.Equal(2, Assert.Throws<CapacityExceededException>(() => s.Spawn(async () => { await Async.Yield(); })).Capacity);
        Assert.Throws<CapacityExceededException>(() => s.Schedule(Priority.Normal, _ => Poll.Ready));
        Assert.Throws<CapacityExceededException>(() => s.Spawn(Priority.Normal, new ReadyFuture(0)));
        // Nothing already running is affected.
        s.RunUntilIdle();
        Assert.Equal(1, a.GetResult());
        Assert.Equal(2, b.GetResult());
    }

    [Fact]
    public void CapacityExceededExceptionConstructors()
    {
        var e = new CapacityExceededException("thing", 7);
        Assert.Equal(7, e.Capacity);
        Assert.Contains("thing", e.Message);
        Assert.Contains("7", e.Message);
        Assert.Equal("m", new CapacityExceededException("m").Message);
        Assert.Equal(0, new CapacityExceededException().Capacity);
    }

    [Fact]
    public void FinishedUnjoinedTasksDoNotBlockNewSpawns()
    {
        using var s = new EmbeddedScheduler(2);
        var a = s.Spawn(Yielding(1));
        var b = s.Spawn(Yielding(2));
        s.RunUntilIdle();
        Assert.Equal(0, s.TaskCount);
        // Both slots hold finished, unjoined tasks: spawning reclaims them.
        Assert.True(s.TrySpawn(Priority.Normal, Yielding(3), out var c));
        var d = s.Spawn(Yielding(4));
        Assert.Equal(3, s.BlockOn(c));
        Assert.Equal(4, s.BlockOn(d));
    }

    [Fact]
    public void ReclaimTakesTheOldestFinishedFirst()
    {
        using var s = new EmbeddedScheduler(2);
        var slow = s.Spawn(Yielding(1, yields: 3)); // spawned first, finishes last
        var fast = s.Spawn(Yielding(2, yields: 0));
        s.RunUntilIdle();
        Assert.True(slow.IsFinished);
        Assert.True(fast.IsFinished);

        var c = s.Spawn(Yielding(3)); // reclaims the oldest finished: fast
        Assert.True(fast.IsFinished);
        Assert.Throws<InvalidOperationException>(() => fast.GetResult());
        Assert.Equal(TaskState.Completed, fast.State); // reclaimed, not joined: how it ended is still readable
        Assert.Equal(TaskState.Completed, slow.State);

        var d = s.Spawn(Yielding(4)); // then slow
        Assert.Throws<InvalidOperationException>(() => slow.GetResult());
        Assert.Equal(3, s.BlockOn(c));
        Assert.Equal(4, s.BlockOn(d));
    }

    [Fact]
    public void JoinedTaskIsNotReclaimedTwice()
    {
        using var s = new EmbeddedScheduler(2);
        var a = s.Spawn(Yielding(1));
        var b = s.Spawn(Yielding(2));
        s.RunUntilIdle();
        Assert.Equal(1, a.GetResult()); // frees a's slot directly
        var c = s.Spawn(Yielding(3)); // takes the free slot: b stays joinable
        Assert.Equal(2, b.GetResult());
        Assert.Equal(3, s.BlockOn(c));
    }

    [Fact]
    public void UnfinishedTasksAreNeverReclaimed()
    {
        using var s = new EmbeddedScheduler(2);
        var pending = s.Schedule(Priority.Normal, _ => Poll.Pending);
        var done = s.Spawn(Yielding(5, 0));
        s.RunUntilIdle();
        var c = s.Spawn(Yielding(6)); // reclaims done
        Assert.False(s.TrySpawn(Priority.Normal, Yielding(7), out _)); // pending still holds its slot
        Assert.False(pending.IsFinished);
        Assert.Equal(6, s.BlockOn(c));
        pending.Abort();
        s.RunUntilIdle();
        Assert.Equal(TaskState.Aborted, pending.State);
    }

    [Fact]
    public void DetachedTaskFreesItsSlotWhenItFinishes()
    {
        using var s = new EmbeddedScheduler(1);
        int ran = 0;
        var h = s.Spawn(async () => { await Async.Yield(); ran++; });
        h.Detach();
        s.RunUntilIdle();
        Assert.Equal(1, ran);
        Assert.True(h.IsFinished);
        Assert.False(s.TryGetTaskAt(0, out _));
        Assert.Equal(9, s.BlockOn(s.Spawn(Yielding(9))));
    }

    [Fact]
    public void TaskCountCountsUnfinishedTasks()
    {
        using var s = new EmbeddedScheduler(8);
        Assert.Equal(0, s.TaskCount);
        var a = s.Spawn(Yielding(1, 2));
        var b = s.Spawn(Yielding(2, 0));
        Assert.Equal(2, s.TaskCount);
        s.PollNext(); // a: first poll, yields
        Assert.Equal(2, s.TaskCount);
        s.PollNext(); // b finishes
        Assert.Equal(1, s.TaskCount);
        s.RunUntilIdle();
        Assert.Equal(0, s.TaskCount);
        a.GetResult();
        b.GetResult();
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void IsIdleTracksReadyWork()
    {
        using var s = new EmbeddedScheduler(4);
        Assert.True(s.IsIdle);
        Waker waker = default;
        int polls = 0;
        var h = s.Schedule(Priority.Normal, cx => { waker = cx.Waker; return ++polls == 2 ? Poll.Ready : Poll.Pending; });
        Assert.False(s.IsIdle);
        s.RunUntilIdle();
        Assert.True(s.IsIdle);
        Assert.Equal(1, s.TaskCount);
        waker.Wake();
        Assert.False(s.IsIdle);
        s.RunUntilIdle();
        Assert.True(s.IsIdle);
        Assert.True(h.IsFinished);
    }

    [Fact]
    public void IsIdleIsFalseWhenATimerIsDue()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var h = s.Spawn(async () => { await Async.Delay(10); });
        s.RunUntilIdle();
        Assert.True(s.IsIdle);
        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.True(s.IsIdle);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(s.IsIdle);
        s.RunUntilIdle();
        Assert.True(h.IsFinished);
    }

    [Fact]
    public void TryGetTaskAtReportsOccupiedSlots()
    {
        using var s = new EmbeddedScheduler(3);
        Assert.False(s.TryGetTaskAt(0, out long none));
        Assert.Equal(0, none);
        Assert.False(s.TryGetTaskAt(-1, out _));
        Assert.False(s.TryGetTaskAt(3, out _));
        var a = s.Spawn(Yielding(1));
        var b = s.Spawn(Yielding(2));
        Assert.True(s.TryGetTaskAt(0, out long ida));
        Assert.True(s.TryGetTaskAt(1, out long idb));
        Assert.Equal(a.Id, ida);
        Assert.Equal(b.Id, idb);
        Assert.False(s.TryGetTaskAt(2, out _));
        s.RunUntilIdle();
        Assert.False(s.TryGetTaskAt(0, out _)); // finished
    }

    [Fact]
    public void TimerHeapGrowsBeyondItsInitialCapacity()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 64, TimerCapacity = 1, Clock = clock });
        var order = new List<int>();
        var hs = new List<JoinHandle>();
        for (int i = 0; i < 40; i++)
        {
            int ms = (i * 37) % 40 + 1; // a permutation of 1..40
            hs.Add(s.Spawn(async () => { await Async.Delay(ms); order.Add(ms); }));
        }
        var all = s.Spawn(Priority.Idle, async () => { foreach (var h in hs) await h; });
        s.BlockOn(all);
        Assert.Equal(Enumerable.Range(1, 40), order);
    }

    private sealed class ReadyFuture(int value) : IFuture<int>
    {
        public Poll<int> Poll(PollContext context) => value;
    }
}
