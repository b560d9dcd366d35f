using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class WakeTests
{
    /// <summary>A poll function that stays pending until released, recording every poll and its waker.</summary>
    private sealed class Probe
    {
        public int Polls;
        public Waker Waker;
        public volatile bool Release;

        public Poll Poll(PollContext cx)
        {
            Interlocked.Increment(ref Polls);
            Waker = cx.Waker;
            return Release ? Tandem.Poll.Ready : Tandem.Poll.Pending;
        }
    }

    [Fact]
    public void PendingTaskIsNotPolledAgainUntilWoken()
    {
        using var s = new EmbeddedScheduler();
        var probe = new Probe();
        var h = s.Schedule(Priority.Normal, probe.Poll);
        Assert.Equal(1, s.RunUntilIdle());
        Assert.Equal(1, probe.Polls);
        Assert.Equal(0, s.RunUntilIdle());
        Assert.False(s.PollNext());
        Assert.Equal(1, probe.Polls);
        probe.Waker.Wake();
        Assert.Equal(1, s.RunUntilIdle());
        Assert.Equal(2, probe.Polls);
        probe.Release = true;
        probe.Waker.Wake();
        s.BlockOn(h);
        Assert.Equal(3, probe.Polls);
    }

    [Fact]
    public void SeveralWakesBeforeItRunsPollOnce()
    {
        using var s = new EmbeddedScheduler();
        var probe = new Probe();
        s.Schedule(Priority.Normal, probe.Poll);
        s.RunUntilIdle();
        for (int i = 0; i < 5; i++) probe.Waker.Wake();
        Assert.Equal(1, s.RunUntilIdle());
        Assert.Equal(2, probe.Polls);
    }

    [Fact]
    public void WakesFromInsideOtherTasksCoalesce()
    {
        using var s = new EmbeddedScheduler();
        var probe = new Probe();
        s.Schedule(Priority.Low, probe.Poll);
        s.RunUntilIdle();
        _ = s.Spawn(Priority.Normal, async () =>
        {
            probe.Waker.Wake();
            await Async.Yield();
            probe.Waker.Wake();
            probe.Waker.Wake();
        });
        s.RunUntilIdle();
        Assert.Equal(2, probe.Polls);
    }

    [Fact]
    public void WakeDuringOwnPollRepollsOnce()
    {
        using var s = new EmbeddedScheduler();
        int polls = 0;
        var h = s.Schedule(Priority.Normal, cx =>
        {
            polls++;
            if (polls == 1)
            {
                cx.Waker.Wake();
                cx.Waker.Wake();
            }
            return polls == 3 ? Poll.Ready : Poll.Pending;
        });
        Assert.Equal(2, s.RunUntilIdle());
        Assert.Equal(2, polls);
        Assert.False(h.IsFinished);
    }

    [Fact]
    public void WakerIsStableAcrossPollsOfOneTask()
    {
        using var s = new EmbeddedScheduler();
        var wakers = new List<Waker>();
        s.Schedule(Priority.Normal, cx =>
        {
            wakers.Add(cx.Waker);
            if (wakers.Count < 3) cx.Waker.Wake();
            return wakers.Count == 3 ? Poll.Ready : Poll.Pending;
        });
        s.RunUntilIdle();
        Assert.Equal(3, wakers.Count);
        Assert.All(wakers, w => Assert.Equal(wakers[0], w));
        Assert.True(wakers[0] == wakers[1]);
        Assert.Equal(wakers[0].GetHashCode(), wakers[2].GetHashCode());
    }

    [Fact]
    public void NoopWaker()
    {
        var w = Waker.Noop;
        Assert.True(w.IsNoop);
        Assert.Equal(-1, w.RegistryIndex);
        w.Wake(); // does nothing, does not throw
        Assert.Equal(default(Waker), w);
        Assert.True(w.Equals((object)default(Waker)));
        Assert.False(w.Equals("x"));
    }

    [Fact]
    public void WakersOfDifferentTasksDiffer()
    {
        using var s = new EmbeddedScheduler();
        var a = new Probe();
        var b = new Probe();
        s.Schedule(Priority.Normal, a.Poll);
        s.Schedule(Priority.Normal, b.Poll);
        s.RunUntilIdle();
        Assert.NotEqual(a.Waker, b.Waker);
        Assert.True(a.Waker != b.Waker);
        Assert.False(a.Waker.IsNoop);
        Assert.Equal(0, a.Waker.RegistryIndex);
        Assert.Equal(1, b.Waker.RegistryIndex);
        b.Waker.Wake();
        s.RunUntilIdle();
        Assert.Equal(1, a.Polls);
        Assert.Equal(2, b.Polls);
    }

    [Fact]
    public void WakeFromAnotherThreadUnparksBlockOn()
    {
        using var s = new EmbeddedScheduler();
        var probe = new Probe();
        var firstPoll = new ManualResetEventSlim();
        var h = s.Schedule(Priority.Normal, cx =>
        {
            var r = probe.Poll(cx);
            firstPoll.Set();
            return r;
        });
        Exception? error = null;
        var driver = TestUtil.StartThread(() => s.BlockOn(h), e => error = e);
        Assert.True(firstPoll.Wait(TestUtil.Bound));
        TestUtil.WaitUntilBlocked(driver); // parked with nothing to do
        Assert.Equal(1, probe.Polls);
        probe.Release = true;
        probe.Waker.Wake();
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(2, probe.Polls);
    }

    [Fact]
    public void SignallingTheRegistryIndexFromAnotherThreadWakesTheTask()
    {
        using var s = new EmbeddedScheduler(8);
        var others = new[] { new Probe(), new Probe() };
        foreach (var o in others) s.Schedule(Priority.Normal, o.Poll);
        var probe = new Probe();
        var firstPoll = new ManualResetEventSlim();
        var h = s.Schedule(Priority.Normal, cx =>
        {
            var r = probe.Poll(cx);
            firstPoll.Set();
            return r;
        });
        Exception? error = null;
        var driver = TestUtil.StartThread(() => s.BlockOn(h), e => error = e);
        Assert.True(firstPoll.Wait(TestUtil.Bound));
        int index = probe.Waker.RegistryIndex;
        Assert.Equal(2, index);
        Assert.True(s.TryGetTaskAt(index, out long id));
        Assert.Equal(h.Id, id);
        TestUtil.WaitUntilBlocked(driver);
        probe.Release = true;
        TestUtil.StartThread(() => s.Wakers.Signal(index), e => error = e).Join(TestUtil.Bound);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(2, probe.Polls);
        Assert.All(others, o => Assert.Equal(1, o.Polls)); // nobody else was woken
        Assert.Equal(s.Wakers, s.Wakers);
        Assert.Null(typeof(WakeSignals).GetMethod("Clear"));
        Assert.Null(typeof(WakeSignals).GetMethod("Reset")); // the loop's flags cannot be erased from outside
        Assert.Equal(8, s.Wakers.Capacity);
    }

    [Fact]
    public void RegistrySignalWhileNotDrivingIsTakenAtNextTurn()
    {
        using var s = new EmbeddedScheduler(4);
        var probe = new Probe();
        s.Schedule(Priority.Normal, probe.Poll);
        s.RunUntilIdle();
        s.Wakers.Signal(probe.Waker.RegistryIndex);
        Assert.True(s.Registry.Check(0));
        Assert.False(s.IsIdle);
        Assert.Equal(1, s.RunUntilIdle());
        Assert.Equal(2, probe.Polls);
        Assert.False(s.Registry.Check(0)); // consumed
    }

    [Fact]
    public void SignalOfAFreeSlotIsHarmless()
    {
        using var s = new EmbeddedScheduler(4);
        s.Wakers.Signal(3);
        Assert.Equal(0, s.RunUntilIdle());
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void StaleWakerOfAFinishedTaskDoesNotWakeTheSlotsNewTask()
    {
        using var s = new EmbeddedScheduler(1);
        Waker stale = default;
        var first = s.Schedule(Priority.Normal, cx => { stale = cx.Waker; return Poll.Ready; });
        s.BlockOn(first); // joined: slot 0 is free again
        var probe = new Probe();
        var second = s.Schedule(Priority.Normal, probe.Poll);
        s.RunUntilIdle();
        Assert.Equal(1, probe.Polls);
        Assert.Equal(stale.RegistryIndex, probe.Waker.RegistryIndex); // same slot
        Assert.NotEqual(stale, probe.Waker);
        stale.Wake();
        Assert.Equal(0, s.RunUntilIdle());
        Assert.Equal(1, probe.Polls);
        // The current waker still works.
        probe.Release = true;
        probe.Waker.Wake();
        s.BlockOn(second);
        Assert.Equal(2, probe.Polls);
    }

    [Fact]
    public void StaleWakerFromAnotherThreadIsIgnored()
    {
        using var s = new EmbeddedScheduler(1);
        Waker stale = default;
        s.BlockOn(s.Schedule(Priority.Normal, cx => { stale = cx.Waker; return Poll.Ready; }));
        var probe = new Probe();
        s.Schedule(Priority.Normal, probe.Poll);
        s.RunUntilIdle();
        TestUtil.RunOnThread(stale.Wake);
        Assert.Equal(0, s.RunUntilIdle());
        Assert.Equal(1, probe.Polls);
    }

    [Fact]
    public void WakeOfAFinishedUnjoinedTaskDoesNothing()
    {
        using var s = new EmbeddedScheduler(2);
        Waker w = default;
        var h = s.Schedule(Priority.Normal, cx => { w = cx.Waker; return Poll<int>.Ready(3); });
        s.RunUntilIdle();
        w.Wake();
        Assert.Equal(0, s.RunUntilIdle());
        Assert.Equal(3, h.GetResult());
    }

    [Fact]
    public void ManyWakesFromManyThreadsAreNeverLost()
    {
        const int threads = 4, wakesPerThread = 2_000;
        using var s = new EmbeddedScheduler(4);
        int produced = 0;
        Waker waker = default;
        var wakerReady = new ManualResetEventSlim();
        int polls = 0;
        var h = s.Schedule(Priority.Normal, cx =>
        {
            polls++;
            waker = cx.Waker;
            wakerReady.Set();
            return Volatile.Read(ref produced) == threads * wakesPerThread ? Poll<int>.Ready(polls) : Poll<int>.Pending;
        });
        Exception? error = null;
        int result = 0;
        var driver = TestUtil.StartThread(() => result = s.BlockOn(h), e => error = e);
        Assert.True(wakerReady.Wait(TestUtil.Bound));
        var w = waker;
        var producers = Enumerable.Range(0, threads).Select(_ => TestUtil.StartThread(() =>
        {
            for (int i = 0; i < wakesPerThread; i++)
            {
                Interlocked.Increment(ref produced);
                w.Wake();
            }
        }, e => error = e)).ToArray();
        foreach (var p in producers) TestUtil.JoinOrFail(p);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.InRange(result, 2, threads * wakesPerThread + 1); // woken coalesce, never lost
    }

    [Fact]
    public void ForeignCompletionWakesAsyncTaskUnderBlockOn()
    {
        using var s = new EmbeddedScheduler();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new ManualResetEventSlim();
        var h = s.Spawn(async () =>
        {
            started.Set();
            return await gate.Task * 2;
        });
        Exception? error = null;
        int result = 0;
        var driver = TestUtil.StartThread(() => result = s.BlockOn(h), e => error = e);
        Assert.True(started.Wait(TestUtil.Bound));
        TestUtil.WaitUntilBlocked(driver);
        gate.SetResult(21);
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(42, result);
    }
}
