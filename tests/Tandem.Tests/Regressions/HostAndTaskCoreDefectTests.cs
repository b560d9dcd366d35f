using System.Collections.Concurrent;
using Tandem;
using Tandem.Embedded;
using Tandem.Host;

namespace Tandem.Tests.Regressions;

/// <summary>
/// The review's defects 1–5 (host tier and the shared task core): each defect has a test here that failed before
/// its fix (on the code before the fix, or, where marked "forced", with the same interleaving forced); the other tests
/// guard the cases beside it. Tests marked
/// "forced" stop a thread at a point inside the lock-free code (Debug builds' <see cref="TestHooks"/>), to produce
/// the interleaving that preemption produces only rarely.
/// </summary>
public class HostAndTaskCoreDefectTests
{
    private static readonly TimeSpan HelperDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Where a fire-and-forget helper's code ran after its foreign await.</summary>
    private sealed record HelperSeen(long TaskId, bool SawTandemContext);

    /// <summary>Awaits a foreign delay (capturing whatever synchronization context is current), then reports where it resumed.</summary>
    private static async Task Helper(TaskCompletionSource<HelperSeen> seen)
    {
        await Task.Delay(HelperDelay);
        seen.SetResult(new HelperSeen(Async.CurrentTaskId, SynchronizationContext.Current is TaskContext));
    }

    // Defect 1: a task's synchronization context outlived the task. Its posts went to the pooled task object's
    // current task: a dead one (never run: whatever awaited the helper hung) or the next task using the object.

    [Fact]
    public void HostContextPostedAfterItsTaskFinishedStillRuns() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var seen = new TaskCompletionSource<HelperSeen>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.BlockOn(async () => { _ = Helper(seen); }); // returns at once; the helper holds the task's context
        Assert.True(seen.Task.Wait(TestUtil.Bound), "the helper's continuation was lost with its task");
        Assert.Equal(0, seen.Task.Result.TaskId);
        Assert.False(seen.Task.Result.SawTandemContext);
    });

    [Fact]
    public void HostContextPostedAfterItsTaskFinishedDoesNotRunInTheTaskThatReusedItsObject() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var seen = new TaskCompletionSource<HelperSeen>(TaskCreationOptions.RunContinuationsAsynchronously);
        var objects = new TaskCore?[2];
        long secondId = s.BlockOn(async () =>
        {
            // Both spawned from the one worker, with the same types: the second task takes the first's pooled object.
            await Runtime.Current!.Spawn(Priority.Normal, (seen, objects), static async st =>
            {
                st.objects[0] = TaskCore.Current;
                _ = Helper(st.seen);
            });
            var second = Runtime.Current!.Spawn(Priority.Normal, (seen, objects), static async st =>
            {
                st.objects[1] = TaskCore.Current;
                await st.seen.Task; // alive until the helper has resumed somewhere
            });
            await second;
            return second.Id;
        });
        Assert.Same(objects[0], objects[1]); // the scenario: the object was reused while the helper waited
        Assert.NotEqual(secondId, seen.Task.Result.TaskId);
        Assert.Equal(0, seen.Task.Result.TaskId);
    });

    [Fact]
    public void EmbeddedContextPostedAfterItsTaskFinishedStillRuns() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1);
        var seen = new TaskCompletionSource<HelperSeen>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.BlockOn(async () => { _ = Helper(seen); });
        // Nobody drives the scheduler any more: the continuation must not wait for it.
        Assert.True(seen.Task.Wait(TestUtil.Bound), "the helper's continuation was lost with its task");
        Assert.Equal(0, seen.Task.Result.TaskId);
    });

    [Fact]
    public void EmbeddedContextPostedAfterItsTaskFinishedDoesNotRunInTheNextTaskOfItsSlot() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1); // one slot: the second task reuses the first's
        var seen = new TaskCompletionSource<HelperSeen>(TaskCreationOptions.RunContinuationsAsynchronously);
        s.BlockOn(async () => { _ = Helper(seen); });
        var second = s.Spawn(Priority.Normal, seen, static async seen =>
        {
            while (!seen.Task.IsCompleted) await Async.Delay(TimeSpan.FromMilliseconds(5)); // polled while the helper's post arrives
        });
        s.BlockOn(second);
        Assert.NotEqual(second.Id, seen.Task.Result.TaskId);
        Assert.Equal(0, seen.Task.Result.TaskId);
    });

    [Fact]
    public void ProgressCreatedInAFinishedTaskReportsOffTheScheduler() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var reported = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        IProgress<int> progress = s.BlockOn(async () =>
            (IProgress<int>)new Progress<int>(_ => reported.TrySetResult(Async.CurrentTaskId)));
        progress.Report(1);
        Assert.True(reported.Task.Wait(TestUtil.Bound));
        Assert.Equal(0, reported.Task.Result);
    });

    [Fact]
    public void AnEmbeddedSlotHandsItsContextOnOnlyWhenNoPollOfItsTaskAllocated()
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1); // every task in the one slot
        var seen = new SynchronizationContext?[1];
        static async TandemTask Record(SynchronizationContext?[] seen, bool allocate)
        {
            seen[0] = SynchronizationContext.Current;
            if (allocate) GC.KeepAlive(new object()); // as capturing the context would (a continuation, a Progress)
            await Async.Yield();
        }
        SynchronizationContext? ContextOfNextTask(bool allocate)
        {
            s.BlockOn(s.Spawn(Priority.Normal, (seen, allocate), static st => Record(st.seen, st.allocate)));
            return seen[0];
        }
        for (int i = 0; i < 3; i++) ContextOfNextTask(allocate: false); // warm: the pools, the JIT
        var clean = ContextOfNextTask(allocate: false);
        Assert.Same(clean, ContextOfNextTask(allocate: false)); // nothing could have captured it: handed on
        var captured = ContextOfNextTask(allocate: true);
        Assert.Same(clean, captured); // the task that allocated still had it...
        var after = ContextOfNextTask(allocate: false);
        Assert.NotSame(captured, after); // ...so the next task gets another one
        Assert.Same(after, ContextOfNextTask(allocate: false));
        Assert.IsAssignableFrom<TaskContext>(after);
    }

    [Fact]
    public void AnEmbeddedTaskThatAllocatesAfterItsSpawnClosedTheWindowHandsOnANewContext()
    {
        // A spawn that reuses a slot polled in the open allocation window closes that window in the middle of the
        // spawner's poll. What the spawner allocates after that (capturing its context) must still count against its
        // slot: the slot's next task gets a context of its own.
        using var noContext = TestUtil.NoSyncContext();
        const int capacity = 4;
        using var s = new EmbeddedScheduler(capacity);
        var next = new JoinHandle<(TaskCore?, SynchronizationContext?)>[capacity];
        for (int round = 0; round < 6; round++) // the first rounds warm the pools and the JIT
        {
            var spawner = s.BlockOn(s.Spawn(Priority.Normal, 0, static async _ =>
            {
                await Runtime.Current!.Spawn(Priority.Normal, 0, static async _ => 0); // polled in this window, its slot free again
                var mine = (TaskCore.Current, SynchronizationContext.Current);
                Runtime.Current!.Spawn(Priority.Normal, 0, static async _ => 0).Detach(); // reuses that slot: the window closes
                GC.KeepAlive(new object()); // allocates after the close, as capturing the context would
                return mine;
            }));
            s.RunUntilIdle(); // the detached task too
            // One task in every slot, so one in the spawner's.
            for (int i = 0; i < capacity; i++)
                next[i] = s.Spawn(Priority.Normal, 0, static async _ => (TaskCore.Current, SynchronizationContext.Current));
            var inSpawnersSlot = next.Select(h => s.BlockOn(h)).Single(n => n.Item1 == spawner.Item1);
            Assert.NotSame(spawner.Item2, inSpawnersSlot.Item2);
        }
    }

    // Defect 2: a job queued while the only blocking thread was deciding to exit waited for the next SpawnBlocking.

    [Fact]
    public void BlockingJobsAreNeverStrandedBehindAnExitingThread() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(new HostOptions { WorkerCount = 1, MaxBlockingThreads = 1, BlockingThreadKeepAlive = TimeSpan.Zero });
        for (int i = 0; i < 3000; i++)
            Assert.Equal(i, s.BlockOn(s.SpawnBlocking(() => i)));
    });

#if DEBUG
    // Defect 3 (forced): a timer firing for an orphaned operation (a TandemTask method started and never awaited)
    // checked its task's generation, was preempted, and pushed onto the next task of the same object, which then
    // ran a step of someone else's method.

    [Fact]
    public void AResumptionCheckedBeforeItsTaskFinishedNeverRunsInTheNextTask() => Bounded.Run(() =>
    {
        var reached = new ManualResetEventSlim();
        var proceed = new ManualResetEventSlim();
        int stopped = 0;
        TestHooks.Install(point =>
        {
            if (point == HookPoint.ReadyPushChecked && Thread.CurrentThread.Name?.EndsWith("timer") == true && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                reached.Set();
                proceed.Wait(TestUtil.Bound);
            }
        });
        HostScheduler s;
        try
        {
            s = new HostScheduler(1); // its timer thread inherits the hook
        }
        finally
        {
            TestHooks.Install(null);
        }
        using (s)
        {
            var orphanRanIn = new long[1];
            var objects = new TaskCore?[2];
            var firstMayEnd = new OneShot<int>();
            var secondStarted = new ManualResetEventSlim();
            var secondMayEnd = new OneShot<int>();
            var driver = s.Spawn(async () =>
            {
                await Runtime.Current!.Spawn(Priority.Normal, 0, async unused =>
                {
                    objects[0] = TaskCore.Current;
                    _ = Orphan(orphanRanIn); // never awaited: its delay's timer fires into this task
                    return await firstMayEnd.ReceiveAsync();
                });
                return await Runtime.Current!.Spawn(Priority.Normal, 0, async unused =>
                {
                    objects[1] = TaskCore.Current;
                    secondStarted.Set();
                    return await secondMayEnd.ReceiveAsync();
                });
            });
            Assert.True(reached.Wait(TestUtil.Bound)); // the timer checked the first task's generation and stopped
            firstMayEnd.Send(1);
            Assert.True(secondStarted.Wait(TestUtil.Bound)); // the first finished; the second runs on its object
            proceed.Set(); // the push lands on the second task's list
            secondMayEnd.Send(2);
            Assert.Equal(2, s.BlockOn(driver));
            Assert.Same(objects[0], objects[1]);
            Assert.Equal(0, Volatile.Read(ref orphanRanIn[0])); // the orphan's step ran in no task
        }
    });

    [Fact]
    public void APostQueuedAsItsTaskFinishesIsNotStrandedOnThePooledObject() => Bounded.Run(() =>
    {
        // A thread posting to a task's context checks the task's generation, is preempted, the task finishes and its
        // object goes back to the pool (nothing reuses it), and then the push lands: the pusher must see that the task
        // finished and hand the callback on, or it would wait on the pooled object until a reuse that never comes.
        using var s = new HostScheduler(1);
        var gate = new OneShot<int>();
        var contexts = new SynchronizationContext?[1];
        var task = s.Spawn(Priority.Normal, (gate, contexts), static async st =>
        {
            st.contexts[0] = SynchronizationContext.Current;
            return await st.gate.ReceiveAsync();
        });
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref contexts[0]) is not null && task.State == TaskState.Pending, TestUtil.Bound));
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var poster = HookedThread.StartStoppedAt(HookPoint.ReadyPushChecked,
            () => contexts[0]!.Post(static r => ((TaskCompletionSource<long>)r!).SetResult(Async.CurrentTaskId), ran));
        gate.Send(1);
        Assert.Equal(1, s.BlockOn(task)); // finished while the post stood between its check and its push
        poster.ReleaseAndJoin();
        Assert.True(ran.Task.Wait(TestUtil.Bound), "the posted callback was stranded");
        Assert.Equal(0, ran.Task.Result); // on the thread pool, not in some task
    });

    private static async TandemTask Orphan(long[] ranIn)
    {
        await Async.Delay(TimeSpan.FromMilliseconds(20));
        Volatile.Write(ref ranIn[0], Async.CurrentTaskId);
    }

    // The ready list's hand-on of stale items (forced), from the mutation testing of TaskCore.ReadyList: a poster
    // checks a task's generation and is preempted; the task finishes and the next task on its object (spawned from
    // the one worker, with the same types) runs. The stale item must reach the thread pool exactly where it is found,
    // and whatever of the next task's the poster takes back with it must stay that task's.

    /// <summary>The two tasks of one pooled object, and what the test and the tasks hand each other.</summary>
    private sealed class ReuseRace
    {
        internal readonly OneShot<int> FirstMayEnd = new();
        internal readonly OneShot<int> SecondGate = new();
        internal readonly ManualResetEventSlim SecondStarted = new();
        internal readonly ManualResetEventSlim SecondMayGoOn = new();
        internal readonly TaskCore?[] Objects = new TaskCore?[2];
        internal readonly TaskCompletionSource<long> PostRan = new(TaskCreationOptions.RunContinuationsAsynchronously);
        internal SynchronizationContext? FirstContext;
        internal JoinHandle<int> Second;

        /// <summary>Posts to the first task's context a callback that records the task it runs in.</summary>
        internal void PostToFirst() =>
            FirstContext!.Post(static r => ((TaskCompletionSource<long>)r!).SetResult(Async.CurrentTaskId), PostRan);
    }

    private static async TandemTask<int> RunFirst(ReuseRace race)
    {
        race.Objects[0] = TaskCore.Current;
        Volatile.Write(ref race.FirstContext, SynchronizationContext.Current);
        return await race.FirstMayEnd.ReceiveAsync();
    }

    private static async TandemTask<int> ReceiveFrom(OneShot<int> gate) => await gate.ReceiveAsync();

    /// <summary>Spawns both tasks (<see cref="SpawnBoth"/>), starts a poster to the first task's context stopped at
    /// <paramref name="stops"/>, lets the first task finish and waits until the second runs on its object.</summary>
    private static (JoinHandle<int> Driver, HookedThread Poster) StartReuseRace(HostScheduler s, ReuseRace race,
        Func<ReuseRace, TandemTask<int>> second, params HookPoint[] stops)
    {
        var driver = SpawnBoth(s, race, second);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref race.FirstContext) is not null, TestUtil.Bound));
        var poster = HookedThread.StartStoppedAt(stops, race.PostToFirst);
        race.FirstMayEnd.Send(1);
        Assert.True(race.SecondStarted.Wait(TestUtil.Bound)); // the first finished; the second runs on its object
        return (driver, poster);
    }

    /// <summary>Spawns the first task, and when it has finished the second, on the first's object.</summary>
    private static JoinHandle<int> SpawnBoth(HostScheduler s, ReuseRace race, Func<ReuseRace, TandemTask<int>> second) =>
        s.Spawn(Priority.Normal, (race, second), static async st =>
        {
            await Runtime.Current!.Spawn(Priority.Normal, st.race, RunFirst);
            st.race.Second = Runtime.Current!.Spawn(Priority.Normal, st.race, st.second);
            return await st.race.Second;
        });

    [Fact]
    public void APosterThatFindsItsTaskFinishedPutsBackTheNextTasksResumptionItTookWithIt() => Bounded.Run(() =>
    {
        // The next task's resumption is pushed (from another thread) while that task's poll runs; then the stale post
        // lands on top, its poster finds the generation ended and takes the whole list: the resumption must go back
        // on the list (not be dropped, nor handed to the thread pool as stale), the post to the thread pool.
        using var s = new HostScheduler(1);
        var race = new ReuseRace();
        var (driver, poster) = StartReuseRace(s, race, static async race =>
        {
            race.Objects[1] = TaskCore.Current;
            var inner = ReceiveFrom(race.SecondGate); // a method of this task, waiting on the gate
            race.SecondStarted.Set();
            race.SecondMayGoOn.Wait(TestUtil.Bound); // this poll goes on while the test races the two pushes
            return await inner;
        }, HookPoint.ReadyPushChecked);
        race.SecondGate.Send(2); // the inner method's resumption, pushed on the second task's list from this thread
        poster.ReleaseAndJoin(); // the stale post lands on it, and its poster takes the list back
        race.SecondMayGoOn.Set();
        Assert.Equal(2, s.BlockOn(driver));
        Assert.Same(race.Objects[0], race.Objects[1]);
        Assert.True(race.PostRan.Task.Wait(TestUtil.Bound), "the stale post was lost");
        Assert.Equal(0, race.PostRan.Task.Result); // on the thread pool, not in the second task
    });

    [Fact]
    public void AStalePostTheNextTasksPollTakesFromItsListRunsOnTheThreadPool() => Bounded.Run(() =>
    {
        // The stale post is pushed, and before its poster re-checks, the next task's poll takes the list: the poll,
        // not the poster, finds the stale item, and must hand it on (the poster then finds the list empty).
        using var s = new HostScheduler(1);
        var race = new ReuseRace();
        var (driver, poster) = StartReuseRace(s, race, static async race =>
        {
            race.Objects[1] = TaskCore.Current;
            race.SecondStarted.Set();
            return await race.SecondGate.ReceiveAsync();
        }, HookPoint.ReadyPushChecked, HookPoint.ReadyPushed);
        Assert.True(SpinWait.SpinUntil(() => race.Second.State == TaskState.Pending, TestUtil.Bound)); // the second waits at the gate
        poster.ReleaseToNextStop(); // the stale post is pushed on the second task's list; the poster has not re-checked
        race.SecondGate.Send(2); // the second task is polled, and runs its list
        Assert.Equal(2, s.BlockOn(driver));
        poster.ReleaseAndJoin();
        Assert.Same(race.Objects[0], race.Objects[1]);
        Assert.True(race.PostRan.Task.Wait(TestUtil.Bound), "the stale post the next task took was lost");
        Assert.Equal(0, race.PostRan.Task.Result);
    });

    // Defect 4 (forced): a replacement joiner wrote its token, then swapped the joiner; a finisher between the two
    // paired the abandoned joiner with the new token. Now the pair is written under a lock bit, and a finisher that
    // finds the lock held leaves the joiner to the registration.

    [Fact]
    public void AReplacementJoinerIsResumedOnceWhenTheTaskFinishesWhileItRegisters() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var release = new OneShot<int>();
        var target = s.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());

        var firstJoining = new ManualResetEventSlim();
        var first = s.Spawn(Priority.Normal, target, async t =>
        {
            firstJoining.Set();
            return await t;
        });
        Assert.True(firstJoining.Wait(TestUtil.Bound));
        Assert.True(SpinWait.SpinUntil(() => first.IsFinished || first.State == TaskState.Pending, TestUtil.Bound)); // its join is registered
        first.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(first)); // it gave up its join

        var locked = new ManualResetEventSlim();
        var targetFinished = new ManualResetEventSlim();
        TestHooks.Install(point =>
        {
            if (point != HookPoint.JoinerLocked) return;
            locked.Set();
            Assert.True(targetFinished.Wait(TestUtil.Bound));
        });
        JoinHandle<int> second;
        try
        {
            second = s.Spawn(Priority.Normal, target, static async t => await t + 1); // its poll runs with the hook
        }
        finally
        {
            TestHooks.Install(null);
        }
        Assert.True(locked.Wait(TestUtil.Bound)); // the second joiner holds the lock, its pair not yet written
        release.Send(41);
        Assert.True(SpinWait.SpinUntil(() => target.IsFinished, TestUtil.Bound)); // finished meanwhile: the finisher deferred
        targetFinished.Set();
        Assert.Equal(42, s.BlockOn(second));
    });

    // Defect 5 (forced): two racing joiners (a misuse) both wrote the joiner fields before the claiming CAS; the
    // loser saw itself as the joiner and threw, and the winner was never resumed. Now the loser throws and the
    // winner gets the result.

    [Fact]
    public void OfTwoRacingJoinersTheLoserThrowsAndTheWinnerIsResumed() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var release = new OneShot<int>();
        var target = s.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
        var winnerLocked = new ManualResetEventSlim();
        var winnerMayGo = new ManualResetEventSlim();
        var loserSpinning = new ManualResetEventSlim();
        var winnerResult = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? loserError = null, winnerError = null;
        Thread? winnerThread = null, loserThread = null;
        TestHooks.Install(point =>
        {
            if (point == HookPoint.JoinerLocked && Thread.CurrentThread == winnerThread)
            {
                winnerLocked.Set();
                winnerMayGo.Wait(TestUtil.Bound);
            }
            else if (point == HookPoint.JoinerLockBusy && Thread.CurrentThread == loserThread)
            {
                loserSpinning.Set();
            }
        });
        try
        {
            var awaiter = target.GetAwaiter();
            winnerThread = new Thread(() =>
            {
                try { awaiter.UnsafeOnCompleted(() => winnerResult.SetResult(awaiter.GetResult())); }
                catch (Exception e) { winnerError = e; }
            }) { IsBackground = true };
            loserThread = new Thread(() =>
            {
                try { awaiter.UnsafeOnCompleted(() => throw new InvalidOperationException("the loser was resumed")); }
                catch (Exception e) { loserError = e; }
            }) { IsBackground = true };
            winnerThread.Start();
            Assert.True(winnerLocked.Wait(TestUtil.Bound));
            loserThread.Start();
            Assert.True(loserSpinning.Wait(TestUtil.Bound));
            winnerMayGo.Set();
            TestUtil.JoinOrFail(loserThread);
            TestUtil.JoinOrFail(winnerThread);
        }
        finally
        {
            TestHooks.Install(null);
        }
        Assert.Null(winnerError);
        Assert.Contains("already being joined", Assert.IsType<InvalidOperationException>(loserError).Message);
        release.Send(7);
        Assert.True(winnerResult.Task.Wait(TestUtil.Bound), "the winning joiner was never resumed");
        Assert.Equal(7, winnerResult.Task.Result);
    });
#endif

    [Fact]
    public void AFinishedTasksStepResumedFromInsideTheNextTaskOfItsSlotIsDroppedWithoutWakingThatTask()
    {
        // A method the first task started and never awaited waits on a gate; the next task of the slot (a poll
        // function) sends on the gate in its own poll. The step belongs to a finished task: it is dropped, neither run
        // in the next task nor queued on it, so the next task is not polled again for it. (Queued on as the next task's
        // own, it would trip the own-poll list's assertion in a Debug build, and cost a poll for nothing in Release.)
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1); // one slot: the second task reuses the first's
        var gate = new OneShot<int>();
        var ranIn = new long[1];
        s.BlockOn(s.Spawn(Priority.Normal, (gate, ranIn), static async st => { _ = ReceiveThenNote(st.gate, st.ranIn); }));
        int polls = 0;
        Waker waker = default;
        var second = s.Schedule(Priority.Normal, cx =>
        {
            waker = cx.Waker;
            if (++polls > 1) return Poll.Ready;
            gate.Send(1);
            return Poll.Pending;
        });
        Assert.Equal(1, s.RunUntilIdle()); // polled once: the stale step woke nothing
        Assert.Equal(0, Volatile.Read(ref ranIn[0])); // and ran nowhere
        waker.Wake();
        s.BlockOn(second);
        Assert.Equal(2, polls);
    }

    private static async TandemTask ReceiveThenNote(OneShot<int> gate, long[] ranIn)
    {
        await gate.ReceiveAsync();
        Volatile.Write(ref ranIn[0], 1);
    }

    [Fact]
    public void TwoTasksRacingToJoinOneTaskNeverHang() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        for (int round = 0; round < 300; round++)
        {
            var release = new OneShot<int>();
            var target = s.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
            var joiners = new JoinHandle<int>[2];
            var started = new int[1];
            for (int j = 0; j < 2; j++)
                joiners[j] = s.Spawn(Priority.Normal, (target, started), static async st =>
                {
                    Interlocked.Increment(ref st.started[0]);
                    try { return await st.target; }
                    catch (InvalidOperationException) { return -1; }
                });
            // Both joiners have registered or been refused (their first polls ended) before the target may finish.
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref started[0]) == 2
                && joiners.All(h => h.IsFinished || h.State == TaskState.Pending), TestUtil.Bound));
            release.Send(round);
            var results = joiners.Select(h => s.BlockOn(h)).OrderBy(r => r).ToArray();
            Assert.Equal(new[] { -1, round }, results);
        }
    });
}
