using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class AbortTests
{
    private sealed class DisposableFuture : IFuture<int>, IDisposable
    {
        public int Polls;
        public int Disposals;
        public Waker Waker;
        public bool Ready;

        public Poll<int> Poll(PollContext context)
        {
            Polls++;
            Waker = context.Waker;
            return Ready ? 5 : Poll<int>.Pending;
        }

        public void Dispose() => Disposals++;
    }

    [Fact]
    public void AbortBeforeFirstPollNeverRuns()
    {
        using var s = new EmbeddedScheduler();
        bool ran = false;
        var h = s.Spawn(async () => { ran = true; await Async.Yield(); return 1; });
        h.Abort();
        s.RunUntilIdle();
        Assert.False(ran);
        Assert.Equal(TaskState.Aborted, h.State);
        var e = Assert.Throws<TaskAbortedException>(() => h.GetResult());
        Assert.Equal(h.Id, e.TaskId);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void AbortWhileInDelayRunsFinally()
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var log = new List<string>();
        var h = s.Spawn(async () =>
        {
            try
            {
                log.Add("start");
                await Async.Delay(TimeSpan.FromHours(1));
                log.Add("after delay");
            }
            catch (TaskAbortedException)
            {
                log.Add("caught");
                throw;
            }
            finally
            {
                log.Add("finally");
            }
        });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(["start", "caught", "finally"], log);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed);
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
        // The cancelled timer fires later into nothing.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, s.RunUntilIdle());
    }

    [Fact]
    public void AbortUnwindsNestedAsyncMethodsInnermostFirst()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var log = new List<string>();
        async TandemTask Inner()
        {
            try { await Async.Delay(1000); }
            finally { log.Add("inner"); }
        }
        async TandemTask Middle()
        {
            try { await Inner(); }
            finally { log.Add("middle"); }
        }
        var h = s.Spawn(async () =>
        {
            try { await Middle(); }
            finally { log.Add("outer"); }
        });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(["inner", "middle", "outer"], log);
        Assert.Equal(TaskState.Aborted, h.State);
    }

    [Fact]
    public void AbortWhileYieldingStopsAtTheNextAwait()
    {
        using var s = new EmbeddedScheduler();
        int iterations = 0;
        var h = s.Spawn(async () =>
        {
            while (true)
            {
                iterations++;
                await Async.Yield();
            }
        });
        s.PollNext();
        s.PollNext();
        Assert.Equal(2, iterations);
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.InRange(iterations, 2, 3);
    }

    [Fact]
    public void AbortWhileAwaitingAJoinHandle()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        bool finallyRan = false;
        var inner = s.Spawn(async () => { await Async.Delay(100); return 9; });
        var outer = s.Spawn(async () =>
        {
            try { return await inner; }
            finally { finallyRan = true; }
        });
        s.RunUntilIdle();
        outer.Abort();
        s.RunUntilIdle();
        Assert.True(finallyRan);
        Assert.Equal(TaskState.Aborted, outer.State);
        Assert.Throws<TaskAbortedException>(() => outer.GetResult());
        // The awaited task is not aborted with its joiner; it still completes and can be joined.
        Assert.False(inner.IsFinished);
        s.BlockOn(s.Spawn(Priority.Idle, async () => { await Async.Delay(200); }));
        Assert.True(inner.IsFinished);
        Assert.Equal(9, inner.GetResult());
    }

    [Fact]
    public void AbortWhileAwaitingJoinSet()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        bool finallyRan = false;
        var outer = s.Spawn(async () =>
        {
            using var set = s.CreateJoinSet<int>();
            set.Spawn(Priority.Normal, async () => { await Async.Delay(1000); return 1; });
            try { return await set.JoinNextAsync(); }
            finally { finallyRan = true; }
        });
        s.RunUntilIdle();
        Assert.Equal(2, s.TaskCount);
        outer.Abort();
        s.RunUntilIdle();
        Assert.True(finallyRan);
        Assert.Equal(TaskState.Aborted, outer.State);
        // Disposing the set (on the way out) aborted its member too.
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void AbortPollFunctionTask()
    {
        using var s = new EmbeddedScheduler();
        int polls = 0;
        var h = s.Schedule(Priority.Normal, _ => { polls++; return Poll.Pending; });
        s.RunUntilIdle();
        Assert.Equal(1, polls);
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(1, polls); // not polled again
        Assert.True(h.IsFinished);
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
    }

    [Fact]
    public void AbortDisposableFutureDisposesIt()
    {
        using var s = new EmbeddedScheduler();
        var f = new DisposableFuture();
        var h = s.Spawn(Priority.Normal, f);
        s.RunUntilIdle();
        Assert.Equal(1, f.Polls);
        Assert.Equal(0, f.Disposals);
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(1, f.Polls);
        Assert.Equal(1, f.Disposals);
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
    }

    [Fact]
    public void AbortFutureBeforeFirstPollDisposesWithoutPolling()
    {
        using var s = new EmbeddedScheduler();
        var f = new DisposableFuture();
        var h = s.Spawn(Priority.Normal, f);
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(0, f.Polls);
        Assert.Equal(1, f.Disposals);
        Assert.Equal(TaskState.Aborted, h.State);
    }

    [Fact]
    public void CompletedFutureIsDisposedOnce()
    {
        using var s = new EmbeddedScheduler();
        var f = new DisposableFuture { Ready = true };
        Assert.Equal(5, s.BlockOn(f));
        Assert.Equal(1, f.Disposals);
    }

    [Fact]
    public void AbortOnFinishedTaskIsANoOp()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Yield(); return 3; });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(TaskState.Completed, h.State);
        Assert.Equal(3, h.GetResult());
    }

    [Fact]
    public void AbortOfAStaleHandleDoesNotTouchTheSlotsNewTask()
    {
        using var s = new EmbeddedScheduler(1);
        var old = s.Spawn(async () => { await Async.Yield(); return 1; });
        Assert.Equal(1, s.BlockOn(old));
        var fresh = s.Spawn(async () => { await Async.Yield(); return 2; });
        old.Abort();
        Assert.Equal(2, s.BlockOn(fresh));
    }

    [Fact]
    public void AbortTwiceIsHarmless()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); });
        s.RunUntilIdle();
        h.Abort();
        h.Abort();
        s.RunUntilIdle();
        h.Abort();
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
    }

    [Fact]
    public void TaskThatSwallowsTheAbortStillEndsAborted()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        var h = s.Spawn(async () =>
        {
            try { await Async.Delay(TimeSpan.FromDays(1)); }
            catch (TaskAbortedException) { log.Add("swallowed"); }
            Assert.True(Async.IsAbortRequested);
            // Further Tandem awaits do not suspend: they throw at once.
            try { await Async.Yield(); }
            catch (TaskAbortedException) { log.Add("yield threw"); }
            return 1;
        });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        Assert.Equal(["swallowed", "yield threw"], log);
        Assert.Equal(TaskState.Aborted, h.State);
        Assert.Throws<TaskAbortedException>(() => h.GetResult());
    }

    [Fact]
    public void SelfAbortTakesEffectAtTheNextAwait()
    {
        using var s = new EmbeddedScheduler();
        var holder = new JoinHandle[1];
        bool after = false;
        holder[0] = s.Spawn(async () =>
        {
            holder[0].Abort();
            await Async.Yield();
            after = true;
        });
        s.RunUntilIdle();
        Assert.False(after);
        Assert.Equal(TaskState.Aborted, holder[0].State);
    }

    [Fact]
    public void AbortFromAnotherTask()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var victim = s.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); return 0; });
        var killer = s.Spawn(async () =>
        {
            await Async.Delay(10);
            victim.Abort();
            try { await victim; return "joined"; }
            catch (TaskAbortedException e) { return $"aborted {e.TaskId == victim.Id}"; }
        });
        Assert.Equal("aborted True", s.BlockOn(killer));
    }

    [Fact]
    public void AbortedTaskDoesNotRaiseUnobservedException()
    {
        var s = new EmbeddedScheduler(1);
        int raised = 0;
        s.UnobservedTaskException += (_, _) => raised++;
        var h = s.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); });
        s.RunUntilIdle();
        h.Abort();
        s.RunUntilIdle();
        _ = s.Spawn(async () => { await Async.Yield(); }); // reclaims the aborted task's slot
        s.Dispose();
        Assert.Equal(0, raised);
    }

    [Fact]
    public void JoinSetAbortAllAbortsRemainingMembers()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        using var set = s.CreateJoinSet<int>();
        var finallies = 0;
        set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 1; });
        for (int i = 0; i < 3; i++)
            set.Spawn(Priority.Normal, async () =>
            {
                try { await Async.Delay(TimeSpan.FromDays(1)); return 2; }
                finally { finallies++; }
            });
        s.RunUntilIdle();
        set.AbortAll();
        s.RunUntilIdle();
        Assert.Equal(3, finallies);
        Assert.Equal(4, set.Count); // aborted members stay in the set
        int completed = 0, aborted = 0;
        while (!set.IsEmpty)
        {
            try
            {
                Assert.True(set.TryJoinNext(out int r));
                Assert.Equal(1, r);
                completed++;
            }
            catch (TaskAbortedException) { aborted++; }
        }
        Assert.Equal(1, completed);
        Assert.Equal(3, aborted);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void JoinSetDisposeAbortsRemainingMembersAndFreesTheirSlots()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 4, Clock = new VirtualClock() });
        var finallies = 0;
        var set = s.CreateJoinSet<int>();
        AbortHandle first = default;
        for (int i = 0; i < 4; i++)
        {
            var h = set.Spawn(Priority.Normal, async () =>
            {
                try { await Async.Delay(TimeSpan.FromDays(1)); return 2; }
                finally { finallies++; }
            });
            if (i == 0) first = h;
        }
        s.RunUntilIdle();
        Assert.Equal(4, s.TaskCount);
        set.Dispose();
        s.RunUntilIdle();
        Assert.Equal(4, finallies);
        Assert.Equal(0, s.TaskCount);
        Assert.True(first.IsFinished);
        Assert.Throws<ObjectDisposedException>(() => set.TryJoinNext(out _));
        // All four slots are free again (not merely reclaimable): four spawns fit.
        for (int i = 0; i < 4; i++) Assert.True(s.TrySpawn(Priority.Normal, async () => 0, out _));
    }

    [Fact]
    public void AbortingOneJoinSetMemberThroughItsHandle()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        using var set = s.CreateJoinSet<int>();
        var victim = set.Spawn(Priority.Normal, async () => { await Async.Delay(50); return 1; });
        set.Spawn(Priority.Normal, async () => { await Async.Delay(100); return 2; });
        victim.Abort();
        var got = s.BlockOn(async () =>
        {
            var results = new List<string>();
            while (!set.IsEmpty)
            {
                try { results.Add((await set.JoinNextAsync()).ToString()); }
                catch (TaskAbortedException) { results.Add("aborted"); }
            }
            return results;
        });
        Assert.Equal(["aborted", "2"], got);
    }

    [Fact]
    public void DisposingTheSchedulerAbortsTasksAndRunsFinally()
    {
        var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var log = new List<string>();
        var a = s.Spawn(async () => { try { await Async.Delay(TimeSpan.FromDays(1)); } finally { log.Add("a"); } });
        var b = s.Spawn(async () => { log.Add("b ran"); try { await Async.Yield(); } finally { log.Add("b"); } });
        s.PollNext(); // a starts; b has not run
        s.Dispose();
        Assert.Equal(["a"], log); // b never started, so it has no finally to run
        Assert.True(a.IsFinished);
        Assert.True(b.IsFinished);
        s.Dispose(); // twice is fine
    }

    [Fact]
    public void TaskAbortedExceptionConstructors()
    {
        Assert.Equal(7, new TaskAbortedException(7).TaskId);
        Assert.Contains("7", new TaskAbortedException(7).Message);
        Assert.Equal(0, new TaskAbortedException("m").TaskId);
        Assert.Equal("m", new TaskAbortedException("m").Message);
        Assert.IsAssignableFrom<OperationCanceledException>(new TaskAbortedException());
    }
}
