using System.Collections.Concurrent;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

/// <summary>
/// The host tier's join cell, directly: a cell with no run object (as blocking work has), joined through the public
/// handle, completed by hand. The races between registration and finish are forced in the regression tests.
/// </summary>
public class HostJoinCellTests
{
    private static (HostJoinCell<int> Cell, JoinHandle<int> Handle) NewCell() =>
        new HostJoinCell<int>(run: null) is var cell ? (cell, new JoinHandle<int>(cell, 0, id: 7)) : default;

    [Fact]
    public void AJoinerRegisteredFirstIsResumedOnceWithTheResult() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        int resumed = 0;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref resumed));
        Assert.False(handle.IsFinished);
        Assert.Equal(TaskState.Pending, handle.State);
        cell.Complete(42, 7, aborted: false, s);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref resumed) == 1, TestUtil.Bound));
        Assert.Equal(42, handle.GetResult());
        Assert.Throws<InvalidOperationException>(() => handle.GetResult()); // joined once
        Assert.Equal(1, Volatile.Read(ref resumed));
    });

    [Fact]
    public void AJoinerRegisteredAfterTheFinishIsResumedAtOnce()
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        cell.Complete(5, 7, aborted: false, s);
        bool resumed = false;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => resumed = true);
        Assert.True(resumed); // outside Tandem: inline
        Assert.Equal(TaskState.Completed, handle.State);
        Assert.Equal(5, handle.GetResult());
    }

    [Fact]
    public void ASecondLiveJoinerIsRefusedAndTheFirstKeepsItsPlace() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        int first = 0;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref first));
        var error = Assert.Throws<InvalidOperationException>(() => handle.GetAwaiter().UnsafeOnCompleted(() => throw new InvalidOperationException("resumed")));
        Assert.Contains("one joiner", error.Message);
        cell.Complete(1, 7, aborted: false, s);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref first) == 1, TestUtil.Bound));
    });

    [Fact]
    public void AFaultLetGoIsReportedOnceAndAJoinedOneNever()
    {
        using var s = new HostScheduler(1);
        var reported = new ConcurrentQueue<long>();
        s.UnobservedTaskException += (_, e) => reported.Enqueue(e.TaskId);
        var (detachedFirst, handle1) = NewCell();
        handle1.Detach();
        detachedFirst.Fail(new FormatException(), 7, aborted: false, s);
        var (detachedAfter, handle2) = NewCell();
        detachedAfter.Fail(new FormatException(), 7, aborted: false, s);
        handle2.Detach();
        handle2.Detach(); // a second detach reports nothing more
        var (joined, handle3) = NewCell();
        joined.Fail(new FormatException(), 7, aborted: false, s);
        Assert.Throws<FormatException>(() => handle3.GetResult());
        handle3.Detach();
        Assert.Equal(new long[] { 7, 7 }, reported.ToArray());
    }

    [Fact]
    public void AnAbortEndsAsAbortedAndACancellationOfTheTaskToo()
    {
        using var s = new HostScheduler(1);
        var (aborted, handle1) = NewCell();
        aborted.Complete(0, 7, aborted: true, s);
        Assert.Equal(TaskState.Aborted, handle1.State);
        Assert.Throws<TaskAbortedException>(() => handle1.GetResult());
        var (cancelled, handle2) = NewCell();
        cancelled.Fail(new TaskAbortedException(7), 7, aborted: false, s); // its own abort's exception
        Assert.Equal(TaskState.Aborted, handle2.State);
        var (faulted, handle3) = NewCell();
        faulted.Fail(new OperationCanceledException(), 7, aborted: false, s); // a cancellation it was not asked for
        Assert.Equal(TaskState.Faulted, handle3.State);
    }

    [Fact]
    public void APostToTheCellOfAFinishedTaskRunsOnTheThreadPool() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, _) = NewCell();
        cell.Complete(0, 7, aborted: false, s);
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        cell.Post(_ => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread), null);
        Assert.True(ran.Task.Wait(TestUtil.Bound));
        Assert.True(ran.Task.Result);
        Assert.Throws<NotSupportedException>(() => cell.Send(_ => { }, null));
    });

    /// <summary>A join set's listener set on a cell whose task has already finished is told at once; one set before the
    /// finish is told at the finish.</summary>
    [Fact]
    public void AListenerIsToldOfTheFinishWhetherSetBeforeOrAfterIt()
    {
        using var s = new HostScheduler(1);
        var listener = new RecordingListener();
        var (finished, _) = NewCell();
        finished.Complete(1, 7, aborted: false, s);
        finished.SetListener(0, listener, tag: 3);
        Assert.Equal([3], listener.Tags);
        var (running, _) = NewCell();
        running.SetListener(0, listener, tag: 4);
        Assert.Equal([3], listener.Tags);
        running.Complete(2, 7, aborted: false, s);
        Assert.Equal([3, 4], listener.Tags);
    }

    private sealed class RecordingListener : IJoinListener
    {
        internal List<int> Tags { get; } = [];

        public void OnMemberFinished(int tag)
        {
            lock (Tags) Tags.Add(tag);
        }
    }

    /// <summary>A detached handle cannot be joined, whether it was let go before or after its task finished.</summary>
    [Fact]
    public void ADetachedHandleCannotBeJoined()
    {
        using var s = new HostScheduler(1);
        var (before, handle1) = NewCell();
        handle1.Detach();
        before.Complete(5, 7, aborted: false, s);
        Assert.Throws<InvalidOperationException>(() => handle1.GetResult());
        var (after, handle2) = NewCell();
        after.Complete(6, 7, aborted: false, s);
        handle2.Detach();
        Assert.Throws<InvalidOperationException>(() => handle2.GetResult());
        Assert.Equal(TaskState.Completed, handle2.State); // the outcome is kept, only the join is refused
    }

    /// <summary>A fault whose joiner gave up its wait (its task was aborted) is reported as unobserved at once when the
    /// handle was let go, and not while the handle can still be joined (the join observes it); a completion whose joiner
    /// gave up reports nothing, at once or at shutdown.</summary>
    [Fact]
    public void AFaultWhoseJoinerGaveUpIsReportedAtOnceOnlyIfItsHandleWasLetGo()
    {
        using var s = new HostScheduler(1);
        var reported = new ConcurrentQueue<long>();
        s.UnobservedTaskException += (_, e) => reported.Enqueue(e.TaskId);
        var (letGo, handle1) = NewCell();
        RegisterAJoinerThatGivesUp(letGo);
        handle1.Detach();
        letGo.Fail(new FormatException(), 7, aborted: false, s);
        Assert.Equal([7], reported);
        var (kept, handle2) = NewCell();
        RegisterAJoinerThatGivesUp(kept);
        kept.Fail(new FormatException(), 8, aborted: false, s);
        Assert.Equal([7], reported);
        Assert.Throws<FormatException>(() => handle2.GetResult());
        var (completed, handle3) = NewCell();
        RegisterAJoinerThatGivesUp(completed);
        handle3.Detach();
        completed.Complete(1, 9, aborted: false, s);
        s.Dispose(); // reports what is still unobserved
        Assert.Equal([7], reported);
    }

    /// <summary>Registers a joiner on <paramref name="cell"/> and withdraws its wait, as an aborted joiner's task does:
    /// resuming it afterwards would throw.</summary>
    private static void RegisterAJoinerThatGivesUp(HostJoinCell<int> cell)
    {
        var wait = ClaimableWait.ForCallback(static _ => throw new InvalidOperationException("a joiner that gave up was resumed"), null);
        Assert.True(cell.TryWaitFor(0, wait));
        Assert.True(wait.TryCancel());
    }

    /// <summary>A fault reported as unobserved is not reported again when the scheduler shuts down; one nobody joined or
    /// let go is reported there; a joined one never.</summary>
    [Fact]
    public void AReportedFaultIsNotReportedAgainAtShutdown()
    {
        var s = new HostScheduler(1);
        var reported = new ConcurrentQueue<long>();
        s.UnobservedTaskException += (_, e) => reported.Enqueue(e.TaskId);
        var (letGo, handle1) = NewCell();
        letGo.Fail(new FormatException(), 7, aborted: false, s);
        handle1.Detach();
        Assert.Equal([7], reported);
        var (joined, handle2) = NewCell();
        joined.Fail(new FormatException(), 8, aborted: false, s);
        Assert.Throws<FormatException>(() => handle2.GetResult());
        var (held, handle3) = NewCell();
        held.Fail(new FormatException(), 9, aborted: false, s);
        Assert.Equal([7], reported);
        s.Dispose();
        Assert.Equal([7, 9], reported);
        GC.KeepAlive(handle3);
    }

    /// <summary>A task's context refuses a null callback, as a synchronization context must.</summary>
    [Fact]
    public void APostOfANullCallbackIsRefused() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        string outcome = s.BlockOn(async () =>
        {
            await Async.Yield();
            var context = SynchronizationContext.Current;
            if (context is not TaskContext) return "no task context";
            try
            {
                context.Post(null!, null);
                return "accepted";
            }
            catch (ArgumentNullException e) when (e.ParamName == "d")
            {
                return "refused";
            }
        });
        Assert.Equal("refused", outcome);
    });

    /// <summary>A callback a task posts to its own context runs inside the task after the poll that posted it, however
    /// long that poll goes on: the rescue of a blocked poll is for posts from other threads only (here the poll is held
    /// well past the rescue's delay, waiting for the callback, which a rescue would run on the thread pool).</summary>
    [Fact]
    public void ACallbackATaskPostsToItselfWaitsForThePollThatPostedIt() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (ranDuringThePoll, ranInTheTask) = s.BlockOn(async () =>
        {
            await Async.Yield();
            var me = TaskCore.Current;
            var ranIn = new TaskCore?[1];
            var ran = new int[1];
            SynchronizationContext.Current!.Post(_ =>
            {
                ranIn[0] = TaskCore.Current;
                Volatile.Write(ref ran[0], 1);
            }, null);
            bool duringThePoll = SpinWait.SpinUntil(() => Volatile.Read(ref ran[0]) != 0, 20 * HostJoinCell<int>.BlockedPollRescueDelay);
            await Async.Yield(); // the callback queued before this resumption runs first
            return (duringThePoll, Volatile.Read(ref ran[0]) != 0 && ranIn[0] == me);
        });
        Assert.False(ranDuringThePoll);
        Assert.True(ranInTheTask);
    });

    /// <summary>A host task reads its own state as running while it is being polled.</summary>
    [Fact]
    public void ATaskIsRunningWhileItIsPolled() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var self = new OneShot<JoinHandle<TaskState>>();
        var handle = s.Spawn(Priority.Normal, self, static async me => (await me.ReceiveAsync()).State);
        self.Send(handle);
        Assert.Equal(TaskState.Running, s.BlockOn(handle));
        Assert.Equal(TaskState.Completed, handle.State);
    });

    /// <summary>A join refused as a second joiner, in a method that then returns, leaves no wait of that method's pooled
    /// box in the refusing task's wait list: when the box next serves another task's join, an abort of that task still
    /// finds its wait and unwinds it (and the refusing task, aborted later, unwinds too).</summary>
    [Fact]
    public void ARefusedJoinLeavesNoWaitBehindForTheNextTaskItsMethodBoxServes() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1); // one worker: the refused method's box is the one the next join rents
        var release = new OneShot<int>();
        var target = s.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
        var otherRelease = new OneShot<int>();
        var otherTarget = s.Spawn(Priority.Normal, otherRelease, static async r => await r.ReceiveAsync());
        var flags = new int[3]; // the first joiner started; the refusing task's outcome (1: refused); the next joiner started
        var firstJoiner = s.Spawn(Priority.Normal, (target, flags), static async st =>
        {
            Volatile.Write(ref st.flags[0], 1);
            return await st.target;
        });
        var refusing = s.Spawn(Priority.Normal, (target, firstJoiner, flags), static async st =>
        {
            while (Volatile.Read(ref st.flags[0]) == 0 || st.firstJoiner.State == TaskState.Running) await Async.Yield();
            Volatile.Write(ref st.flags[1], await TryJoin(st.target) ? 1 : 2);
            await Async.Delay(TimeSpan.FromHours(1)); // stays alive, with its wait list
            return 0;
        });
        WaitUntil(s, refusing, flags, 1);
        Assert.Equal(1, flags[1]);
        var nextJoiner = s.Spawn(Priority.Normal, (otherTarget, flags), static async st =>
        {
            Volatile.Write(ref st.flags[2], 1);
            return await TryJoin(st.otherTarget) ? 1 : 0;
        });
        WaitUntil(s, nextJoiner, flags, 2);
        nextJoiner.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(nextJoiner));
        refusing.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(refusing));
        release.Send(5);
        Assert.Equal(5, s.BlockOn(firstJoiner));
        otherRelease.Send(6);
        Assert.Equal(6, s.BlockOn(otherTarget));
    });

    /// <summary>Joins <paramref name="target"/>; true when the join was refused (the task already has a joiner), false when
    /// it joined.</summary>
    private static async TandemTask<bool> TryJoin(JoinHandle<int> target)
    {
        try
        {
            await target;
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

#if DEBUG
    /// <summary>Of two joins of a finished task that both read it unjoined, the one whose claim comes second finds it
    /// joined and throws: the result is handed out once (forced: the first stands between its read and its claim while the
    /// second joins).</summary>
    [Fact]
    public void OfTwoJoinsRacingForAFinishedTaskOnlyOneGetsTheResult() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        cell.Complete(42, 7, aborted: false, s);
        Exception? secondError = null;
        int secondResult = -1;
        var late = HookedThread.StartStoppedAt(HookPoint.JoinStateChecked, () =>
        {
            try
            {
                secondResult = handle.GetResult();
            }
            catch (Exception e)
            {
                secondError = e;
            }
        });
        Assert.Equal(42, handle.GetResult()); // joins while the other stands before its claim
        late.ReleaseAndJoin();
        Assert.Equal(-1, secondResult);
        Assert.Contains("already joined", Assert.IsType<InvalidOperationException>(secondError).Message);
    });

    /// <summary>A task that finishes while a second joiner, about to be refused, holds the joiner lock still resumes its
    /// first joiner: the finisher leaves the joiner to the registration holding the lock, and the refused registration
    /// resumes it as it lets the lock go (forced: the second registration stands in the lock while the task finishes).</summary>
    [Fact]
    public void AFinishWhileASecondJoinerIsBeingRefusedStillResumesTheFirst() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var (cell, handle) = NewCell();
        int first = 0;
        using var noContext = TestUtil.NoSyncContext();
        handle.GetAwaiter().UnsafeOnCompleted(() => Interlocked.Increment(ref first));
        Exception? refused = null;
        var second = HookedThread.StartStoppedAt(HookPoint.JoinerLocked, () =>
        {
            try
            {
                handle.GetAwaiter().UnsafeOnCompleted(static () => throw new InvalidOperationException("the refused joiner was resumed"));
            }
            catch (Exception e)
            {
                refused = e;
            }
        });
        cell.Complete(42, 7, aborted: false, s); // finds the lock held: leaves the joiner to the registration
        Assert.Equal(0, Volatile.Read(ref first));
        second.ReleaseAndJoin();
        Assert.Contains("one joiner", Assert.IsType<InvalidOperationException>(refused).Message);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref first) == 1, TestUtil.Bound));
        Assert.Equal(42, handle.GetResult());
    });
#endif

    /// <summary>Returns once <paramref name="task"/> has set <c>flags[index]</c> and ended that poll: it is suspended.</summary>
    private static void WaitUntil(HostScheduler s, JoinHandle<int> task, int[] flags, int index) =>
        s.BlockOn(s.Spawn(Priority.Normal, (task, flags, index), static async st =>
        {
            while (Volatile.Read(ref st.flags[st.index]) == 0 || st.task.State == TaskState.Running) await Async.Yield();
            return 0;
        }));
}
