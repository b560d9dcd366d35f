using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Regressions;

/// <summary>
/// Behaviours a review of the library found broken, each fixed and kept here so it stays fixed.
/// </summary>
public class EmbeddedRegressionTests
{
    [Fact]
    public void StateIsRunningWhileTheTaskIsBeingPolled()
    {
        using var s = new EmbeddedScheduler();
        var self = new JoinHandle<TaskState>[1];
        self[0] = s.Spawn(async () =>
        {
            var seen = self[0].State;
            await Async.Yield();
            return seen;
        });
        Assert.Equal(TaskState.Running, s.BlockOn(self[0]));
    }

    [Fact]
    public void PollFunctionSeesItsTaskRunning()
    {
        using var s = new EmbeddedScheduler();
        var self = new JoinHandle<TaskState>[1];
        self[0] = s.Schedule(Priority.Normal, _ => Poll<TaskState>.Ready(self[0].State));
        Assert.Equal(TaskState.Running, s.BlockOn(self[0]));
    }

    [Fact]
    public void TryParseRejectsCommaSeparatedNames()
    {
        foreach (var text in new[] { "Critical, High", "Low,High", "Critical,Idle" })
        {
            Assert.False(Priorities.TryParse(text, out var p), $"\"{text}\" parsed as {p}");
            Assert.Throws<ArgumentOutOfRangeException>(() => Priorities.Parse(text));
        }
    }

    [Fact]
    public void JoinSetSpawnAtInvalidPriorityDoesNotLeakAMember()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Spawn((Priority)9, async () => 1));
        Assert.True(set.IsEmpty);
        Assert.Equal(0, set.Count);
        Assert.Throws<InvalidOperationException>(() => set.JoinNextAsync()); // empty: nothing to wait for
    }

    [Fact]
    public void JoinSetSpawnFromAWrongThreadDoesNotLeakAMember()
    {
        using var s = new EmbeddedScheduler();
        using var set = s.CreateJoinSet<int>(1);
        Waker waker = default;
        var polled = new ManualResetEventSlim();
        bool release = false;
        var blocker = s.Schedule(Priority.Normal, cx =>
        {
            waker = cx.Waker;
            polled.Set();
            return Volatile.Read(ref release) ? Poll.Ready : Poll.Pending;
        });
        Exception? error = null;
        var driver = TestUtil.StartThread(() => s.BlockOn(blocker), e => error = e);
        Assert.True(polled.Wait(TestUtil.Bound));
        Assert.Throws<InvalidOperationException>(() => set.Spawn(Priority.Normal, async () => 1));
        Volatile.Write(ref release, true);
        waker.Wake();
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        Assert.Equal(0, set.Count);
        set.Spawn(Priority.Normal, async () => 1); // capacity 1: the failed spawn must not hold it
    }

    [Fact]
    public void FuturesUnorderedPushOfDefaultHandleDoesNotLeakAMember()
    {
        var fu = new FuturesUnordered<int>(1);
        Assert.Throws<InvalidOperationException>(() => fu.Push(default(JoinHandle<int>)));
        var disposeError = Record.Exception(fu.Dispose); // disposing must not trip over the half-added member
        Assert.Null(disposeError);
        var fresh = new FuturesUnordered<int>(1);
        Assert.Throws<InvalidOperationException>(() => fresh.Push(default(JoinHandle<int>)));
        Assert.Equal(0, fresh.Count);
        Assert.Throws<InvalidOperationException>(() => fresh.NextAsync()); // empty: nothing to wait for
    }

    [Fact]
    public void FuturesUnorderedPushOfAHandleAlreadyInAnotherSetDoesNotLeakAMember()
    {
        using var s = new EmbeddedScheduler();
        using var a = new FuturesUnordered<int>(1);
        using var b = new FuturesUnordered<int>(1);
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        a.Push(h);
        Assert.Throws<InvalidOperationException>(() => b.Push(h));
        Assert.Equal(0, b.Count);
        Assert.False(b.TryNext(out _));
    }

    [Fact]
    public void DisposingASetAfterAFailedPushDoesNotDetachAnotherSetsMember()
    {
        using var s = new EmbeddedScheduler();
        using var a = new FuturesUnordered<int>(1);
        var b = new FuturesUnordered<int>(1);
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        a.Push(h);
        Assert.Throws<InvalidOperationException>(() => b.Push(h)); // h already has a joiner: refused
        b.Dispose(); // b never held h, so this must not touch it
        s.RunUntilIdle();
        Assert.True(a.TryNext(out int r), "set a never heard that its member finished");
        Assert.Equal(1, r);
    }

    [Fact]
    public void HandleCanBeAwaitedAgainAfterItsFirstJoinerWasAborted()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var inner = s.Spawn(async () => { await Async.Delay(100); return 9; });
        var first = s.Spawn(async () => await inner);
        s.RunUntilIdle();
        first.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => first.GetResult());
        // The first joiner is gone: a second task may now await the handle.
        var second = s.Spawn(async () => await inner);
        Assert.Equal(9, s.BlockOn(second)); // throws InvalidOperationException "already being joined"
    }

    [Fact]
    public void JoinedTaskWhoseJoinerIsAbortedAfterTheWakeIsStillReclaimed()
    {
        using var s = new EmbeddedScheduler(2);
        var inner = s.Spawn(async () => { await Async.Yield(); return 1; });
        var outer = s.Spawn(async () => await inner);
        Assert.True(s.PollNext()); // inner: yields
        Assert.True(s.PollNext()); // outer: awaits inner
        Assert.True(s.PollNext()); // inner finishes and wakes outer
        Assert.True(inner.IsFinished);
        outer.Abort(); // before outer resumes to join
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => outer.GetResult());
        Assert.Equal(0, s.TaskCount);
        // Nothing is running, and both tasks are finished: both slots must be usable again.
        Assert.True(s.TrySpawn(Priority.Normal, async () => 2, out _));
        Assert.True(s.TrySpawn(Priority.Normal, async () => 3, out _), "the joined-but-never-consumed task's slot leaked");
    }

    [Fact]
    public void TimersDueInOneTurnResumeTheirTasksInDeadlineOrder()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var fired = new List<int>();
        foreach (int ms in new[] { 30, 10, 50, 20, 40 })
            _ = s.Spawn(async () => { await Async.Delay(ms); fired.Add(ms); });
        s.RunUntilIdle();
        clock.Advance(TimeSpan.FromMilliseconds(100));
        s.RunUntilIdle();
        Assert.Equal([10, 20, 30, 40, 50], fired);
    }

    [Fact]
    public void ExceptionThrownWhileUnwindingAnAbortIsNotLost()
    {
        var s = new EmbeddedScheduler();
        var events = new List<Exception>();
        s.UnobservedTaskException += (_, a) => events.Add(a.Exception);
        var h = s.Spawn(async () =>
        {
            try { await Async.Delay(TimeSpan.FromDays(1)); }
            finally { throw new InvalidDataException("cleanup failed"); }
        });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        var state = h.State;
        var joined = Record.Exception(() => h.GetResult());
        s.Dispose();
        // Either the joiner sees the cleanup failure, or it is reported as unobserved; here neither happens.
        Assert.True(joined is InvalidDataException || events.Count == 1, $"state {state}, join threw {joined?.GetType().Name}, {events.Count} unobserved events");
    }
}
