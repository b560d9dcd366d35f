using Tandem;
using Tandem.Embedded;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Regressions;

/// <summary>
/// The review's defects 6–13 (the embedded tier and the async-method machinery): each defect has a test here that failed before
/// its fix (on the code before the fix, or, where marked "forced", with the same interleaving forced); the other tests
/// guard the cases beside it.
/// </summary>
public class EmbeddedAndMethodDefectTests
{
    private sealed class Published(JoinHandle<int> handle)
    {
        internal readonly JoinHandle<int> Handle = handle;
    }

    // Defect 6: an abort from another thread checked the body's version, then marked the slot's *current*
    // generation: a task joined and replaced in between had its successor aborted.

    [Fact]
    public void AnAbortFromAnotherThreadNeverReachesTheNextTaskOfTheSlot() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1); // target and victim alternate in the one slot
        Published? published = null;
        bool stop = false;
        var aborter = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                if (Volatile.Read(ref published) is { } p) p.Handle.Abort();
            }
        }) { IsBackground = true };
        aborter.Start();
        int victimsAborted = 0, rounds = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        try
        {
            while (rounds < 200_000 && DateTime.UtcNow < until)
            {
                rounds++;
                var target = s.Spawn(Priority.Normal, 1, static async v => { await Async.Yield(); return v; });
                Volatile.Write(ref published, new Published(target));
                try { s.BlockOn(target); } catch (TaskAbortedException) { }
                var victim = s.Spawn(Priority.Normal, 2, static async v => { await Async.Yield(); return v; });
                try { s.BlockOn(victim); } catch (TaskAbortedException) { victimsAborted++; }
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            aborter.Join();
        }
        Assert.True(rounds > 1000, $"only {rounds} rounds ran");
        Assert.Equal(0, victimsAborted);
    });

    // Defect 7: an awaiter that threw at a method's first suspension left the method's box holding a stale copy of
    // the state machine; the next await resumed that copy, and the code after the catch ran twice.

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnAwaitRefusedAtTheFirstSuspensionDoesNotRunTheRestOfTheMethodTwice(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var release = new OneShot<int>();
        var target = rt.Spawn(Priority.Normal, release, static async r => await r.ReceiveAsync());
        var joining = new int[1];
        var firstJoiner = rt.Spawn(Priority.Normal, (target, joining), static async st =>
        {
            Volatile.Write(ref st.joining[0], 1);
            return await st.target;
        });
        var counts = new int[2]; // [0]: refusals caught, [1]: passes through the code after the catch
        var second = rt.Spawn(Priority.Normal, (target, counts, firstJoiner, joining), static async st =>
        {
            // Let the first joiner register: its poll, which awaits the target, has ended.
            while (Volatile.Read(ref st.joining[0]) == 0 || st.firstJoiner.State == TaskState.Running) await Async.Yield();
            return await SecondJoiner(st.target, st.counts);
        });
        int passes = rt.BlockOn(second);
        release.Send(5);
        Assert.Equal(5, rt.BlockOn(firstJoiner));
        Assert.Equal(1, counts[0]);
        Assert.Equal(1, passes);
    });

    private static async TandemTask<int> SecondJoiner(JoinHandle<int> target, int[] counts)
    {
        try
        {
            await target; // the method's first suspension: refused, the task already has a joiner
        }
        catch (InvalidOperationException)
        {
            counts[0]++;
        }
        int passes = ++counts[1];
        await Async.Yield(); // the next suspension must box the method as it is now
        await Async.Delay(TimeSpan.FromMilliseconds(1));
        return counts[1] == passes ? passes : -counts[1];
    }

    // Defect 8: a one-shot channel whose receiver was aborted stayed "waiting": a new receiver was refused, a send
    // failed, or a refused receiver's later await was resumed by the send.

    [Fact]
    public void AOneShotWhoseReceiverWasAbortedTakesANewReceiver() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var first = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle();
        first.Abort();
        s.RunUntilIdle();
        Assert.Throws<TaskAbortedException>(() => first.GetResult());
        var second = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle();
        Assert.True(channel.TrySend(7));
        Assert.Equal(7, s.BlockOn(second));
    });

    [Fact]
    public void AOneShotSentAfterItsReceiverWasAbortedKeepsTheValue() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var first = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle();
        first.Abort();
        s.RunUntilIdle();
        Assert.True(channel.TrySend(5));
        Assert.Equal(5, s.BlockOn(s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync())));
    });

    [Fact]
    public void ARefusedOneShotReceiverIsNotResumedByTheSend() => Bounded.Run(() =>
        ARefusedReceiverIsNotResumedByTheSend(new OneShot<int>(), static async c => await c.ReceiveAsync(), static (c, v) => c.TrySend(v)));

    [Fact]
    public void ARefusedMpscReceiverLeavesTheWaitingOneInPlace() => Bounded.Run(() =>
        ARefusedReceiverIsNotResumedByTheSend(new MpscChannel<int>(4), static async c => await c.ReceiveAsync(), static (c, v) => c.TrySend(v)));

    /// <summary>A second receiver is refused while the first waits, catches that, and sleeps: the send resumes the
    /// first receiver, and the second's sleep is not cut short by it.</summary>
    private static void ARefusedReceiverIsNotResumedByTheSend<TChannel>(TChannel channel, Func<TChannel, TandemTask<int>> receive, Func<TChannel, int, bool> send)
    {
        var clock = new VirtualClock();
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var first = s.Spawn(Priority.Normal, (channel, receive), static st => st.receive(st.channel));
        var second = s.Spawn(Priority.Normal, (channel, receive, clock), static async st =>
        {
            try
            {
                await st.receive(st.channel);
                return TimeSpan.MinValue;
            }
            catch (InvalidOperationException)
            {
            }
            var before = st.clock.Elapsed;
            await Async.Delay(TimeSpan.FromSeconds(10));
            return st.clock.Elapsed - before;
        });
        s.RunUntilIdle(); // the first waits; the second was refused and sleeps
        Assert.True(send(channel, 3));
        Assert.Equal(3, s.BlockOn(first));
        Assert.Equal(TimeSpan.FromSeconds(10), s.BlockOn(second));
    }

    [Fact]
    public void OneShotRacesDeliverTheWinningValueExactlyOnce() => Bounded.Run(() =>
    {
        // Two senders on two threads race a receiving task on the host tier: one send wins, its value arrives once.
        using var s = new Tandem.Host.HostScheduler(2);
        for (int round = 0; round < 2000; round++)
        {
            var channel = new OneShot<int>();
            var receiver = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
            int[] won = new int[2];
            var start = new Barrier(2);
            var senders = new[] { 1, 2 }.Select(v => new Thread(() =>
            {
                start.SignalAndWait();
                if (channel.TrySend(v)) won[v - 1] = 1;
            }) { IsBackground = true }).ToArray();
            foreach (var t in senders) t.Start();
            foreach (var t in senders) t.Join();
            Assert.Equal(1, won[0] + won[1]);
            Assert.Equal(won[0] == 1 ? 1 : 2, s.BlockOn(receiver));
        }
    });

    [Fact]
    public void AOneShotWhoseReceiverGaveUpCanBeReset() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var channel = new OneShot<int>();
        var receiver = s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync());
        s.RunUntilIdle();
        Assert.Throws<InvalidOperationException>(() => channel.Reset()); // a receiver waits
        receiver.Abort();
        s.RunUntilIdle();
        channel.Reset(); // it gave its place up
        Assert.True(channel.TrySend(2));
        Assert.Equal(2, s.BlockOn(s.Spawn(Priority.Normal, channel, static async c => await c.ReceiveAsync())));
    });

    [Fact]
    public void ATaskEndedByAPostedCallbackLeavesItsPendingMethodOutOfTheNextTask() => Bounded.Run(() =>
    {
        // The task's method waits on an operation started outside it; a callback posted to the task throws, which ends
        // the task while the operation is still pending. When the operation completes later, its completion must reach
        // nothing, not the next task that runs in the same slot.
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1);
        var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var operation = AwaitOutside(source.Task);
        var first = s.Spawn(() =>
        {
            SynchronizationContext.Current!.Post(_ => throw new FormatException("posted"), null);
            return operation;
        });
        Assert.Throws<FormatException>(() => s.BlockOn(first));
        for (int round = 0; round < 3; round++)
        {
            var next = s.Spawn(Priority.Normal, round, static async r =>
            {
                await Async.Yield();
                return r * 10;
            });
            if (round == 1) source.SetResult(1); // the orphaned operation completes while the slot runs another task
            Assert.Equal(round * 10, s.BlockOn(next));
        }
        Assert.Equal(0, s.TaskCount);
    });

    // Defect 9: aborting a task that awaited Timeout(work) left the work running, unjoined and (embedded) holding
    // its slot for ever.

    [Fact]
    public void AbortingATaskThatAwaitsATimeoutAbortsTheWork() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 4, Clock = new VirtualClock { AutoAdvance = false } });
        for (int round = 0; round < 8; round++)
        {
            var waiter = s.Spawn(Priority.Normal, s, static async rt =>
                await rt.Timeout(TimeSpan.FromHours(1), static async () =>
                {
                    await Async.Delay(TimeSpan.FromHours(2));
                    return 1;
                }));
            s.RunUntilIdle();
            Assert.Equal(2, s.TaskCount); // the waiter and its work
            waiter.Abort();
            s.RunUntilIdle();
            Assert.Throws<TaskAbortedException>(() => waiter.GetResult());
            Assert.Equal(0, s.TaskCount); // the work was aborted with it
        }
    });

    [Fact]
    public void AFaultOfAbandonedTimeoutWorkIsReported() => Bounded.Run(() =>
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock { AutoAdvance = false } });
        var reported = new List<Exception>();
        s.UnobservedTaskException += (_, e) => reported.Add(e.Exception);
        var waiter = s.Spawn(Priority.Normal, s, static async rt =>
            await rt.Timeout(TimeSpan.FromHours(1), static async () =>
            {
                try
                {
                    await Async.Delay(TimeSpan.FromHours(2));
                }
                finally
                {
                    throw new FormatException("thrown while unwinding");
                }
#pragma warning disable CS0162 // unreachable: the finally always throws
                return 1;
#pragma warning restore CS0162
            }));
        s.RunUntilIdle();
        waiter.Abort();
        s.RunUntilIdle();
        Assert.IsType<FormatException>(Assert.Single(reported));
    });

    // Defect 10: a task whose method returned an operation started elsewhere (outside any task) was never woken
    // when that operation completed on another thread.

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ATaskRunningAnOperationStartedOutsideAnyTaskSeesItComplete(Tier mode) => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var rt = Runtimes.Create(mode);
        var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var operation = AwaitOutside(source.Task); // started here, outside any task
        int polls = 0;
        var task = rt.Spawn(() =>
        {
            Interlocked.Increment(ref polls);
            return operation;
        });
        if (rt is EmbeddedScheduler embedded) embedded.RunUntilIdle();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref polls) == 1 && task.State == TaskState.Pending, TestUtil.Bound));
        var completer = new Thread(() => source.SetResult(8)) { IsBackground = true };
        completer.Start();
        Assert.Equal(9, rt.BlockOn(task));
        Assert.Equal(0, rt.TaskCount);
        completer.Join();
    });

    private static async TandemTask<int> AwaitOutside(Task<int> task) => await task + 1;

    // Defect 11: a continuation owned by no task (plain async code awaiting a Tandem channel) ran inline on the
    // thread that completed it: inside the completing task's poll, with its identity, abort state and context.

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void PlainCodeResumedByATaskDoesNotRunAsThatTask(Tier mode) => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var rt = Runtimes.Create(mode);
        var channel = new OneShot<int>();
        var plain = ReceiveInPlainCode(channel);
        rt.BlockOn(rt.Spawn(Priority.Normal, channel, static async c =>
        {
            c.Send(9);
            await Async.Yield();
        }));
        Assert.True(plain.Wait(TestUtil.Bound), "the plain code's next foreign await never resumed");
        Assert.Equal((0L, false, 9), plain.Result);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void PlainCodeResumedByAnAbortedTaskGetsTheValue(Tier mode) => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var rt = Runtimes.Create(mode);
        var channel = new OneShot<int>();
        var plain = ReceiveInPlainCode(channel);
        var started = new ManualResetEventSlim();
        var sender = rt.Spawn(Priority.Normal, (channel, started), static async st =>
        {
            try
            {
                st.started.Set();
                await Async.Delay(TimeSpan.FromHours(1));
            }
            finally
            {
                st.channel.Send(4); // sent while the task unwinds its abort
            }
        });
        if (rt is EmbeddedScheduler embedded) embedded.RunUntilIdle();
        Assert.True(started.Wait(TestUtil.Bound));
        sender.Abort();
        Assert.Throws<TaskAbortedException>(() => rt.BlockOn(sender));
        Assert.True(plain.Wait(TestUtil.Bound));
        Assert.Equal((0L, false, 4), plain.Result);
    });

    /// <summary>Plain .NET code (not a Tandem task) awaiting a Tandem channel, then a foreign delay.</summary>
    private static async Task<(long TaskId, bool InTandemContext, int Value)> ReceiveInPlainCode(OneShot<int> channel)
    {
        int value = await channel.ReceiveAsync();
        var seen = (Async.CurrentTaskId, SynchronizationContext.Current is TaskContext, value);
        await Task.Delay(1); // posts to whatever context is current: it must be able to resume
        return seen;
    }

    // Defect 12: RunUntilIdle, PollNext and IsIdle stopped at a due timer that woke nothing, while later timers were due.

    [Fact]
    public void RunUntilIdleRunsTasksDueBehindATimerThatWakesNothing() => Bounded.Run(() =>
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var aborted = s.Spawn(Priority.Normal, 0, static async _ => await Async.Delay(TimeSpan.FromMilliseconds(10)));
        var sleeper = s.Spawn(Priority.Normal, 0, static async _ => await Async.Delay(TimeSpan.FromMilliseconds(20)));
        s.RunUntilIdle();
        aborted.Abort();
        s.RunUntilIdle(); // unwinds: its 10 ms timer stays behind, claimed
        Assert.True(aborted.IsFinished);
        clock.Advance(TimeSpan.FromMilliseconds(30));
        Assert.False(s.IsIdle);
        Assert.True(s.RunUntilIdle() > 0);
        Assert.True(sleeper.IsFinished);
        Assert.True(s.IsIdle);
    });

    [Fact]
    public void PollNextRunsATaskDueBehindATimerThatWakesNothing() => Bounded.Run(() =>
    {
        var clock = new VirtualClock { AutoAdvance = false };
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
        var aborted = s.Spawn(Priority.Normal, 0, static async _ => await Async.Delay(TimeSpan.FromMilliseconds(10)));
        var sleeper = s.Spawn(Priority.Normal, 0, static async _ => await Async.Delay(TimeSpan.FromMilliseconds(20)));
        s.RunUntilIdle();
        aborted.Abort();
        s.RunUntilIdle();
        clock.Advance(TimeSpan.FromMilliseconds(15));
        Assert.True(s.IsIdle); // only the claimed timer is due: nothing would run
        clock.Advance(TimeSpan.FromMilliseconds(15));
        Assert.True(s.PollNext());
        Assert.True(sleeper.IsFinished);
    });

    // Defect 13: enumerating a FuturesUnordered with a token did not end when the token was cancelled during a wait.

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void FuturesUnorderedEnumerationEndsWhenItsTokenIsCancelledWhileWaiting(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var cts = new CancellationTokenSource();
        var waiting = new ManualResetEventSlim();
        var never = new OneShot<int>();
        var consumer = rt.Spawn(Priority.Normal, (rt, cts.Token, waiting, never), static async st =>
        {
            using var set = st.rt.CreateFuturesUnordered<int>();
            set.Push(st.rt.Spawn(Priority.Normal, st.never, static async n => await n.ReceiveAsync()));
            set.Push(NotifyThenNeverFinish(st.waiting));
            int seen = 0;
            try
            {
                await foreach (var _ in set.WithCancellation(st.Token)) seen++;
                return -1;
            }
            catch (OperationCanceledException)
            {
                return seen;
            }
        });
        var canceller = new Thread(() =>
        {
            waiting.Wait(TestUtil.Bound);
            cts.Cancel();
        }) { IsBackground = true };
        canceller.Start();
        Assert.Equal(0, rt.BlockOn(consumer));
        canceller.Join();
        never.Send(0);
    });

    /// <summary>A member that tells it is being waited for (polled by the set's consumer) and never finishes.</summary>
    private static IFuture<int> NotifyThenNeverFinish(ManualResetEventSlim waiting) => new PendingFuture(waiting);

    private sealed class PendingFuture(ManualResetEventSlim polled) : IFuture<int>
    {
        public Poll<int> Poll(PollContext context)
        {
            polled.Set();
            return Poll<int>.Pending;
        }
    }

#if DEBUG
    // Defect 13, second part (forced): a registry flag set by a waker whose task finished meanwhile polled the
    // slot's next task once.

    [Fact]
    public void AWakeForAFinishedTaskDoesNotPollTheNextTaskOfItsSlot() => Bounded.Run(() =>
    {
        using var noContext = TestUtil.NoSyncContext();
        using var s = new EmbeddedScheduler(1);
        Waker firstWaker = default;
        int firstPolls = 0;
        var first = s.Schedule(Priority.Normal, cx =>
        {
            firstWaker = cx.Waker;
            return ++firstPolls == 2 ? Poll.Ready : Poll.Pending;
        });
        s.RunUntilIdle();

        // Passes the generation check on another thread, then stops before setting the flag.
        var waker = HookedThread.StartStoppedAt(HookPoint.RegistryWakeChecked, () => firstWaker.Wake());
        firstWaker.Wake(); // from the loop's thread: the first task runs and finishes
        s.RunUntilIdle();
        first.GetResult();
        int secondPolls = 0;
        var second = s.Schedule(Priority.Normal, _ => ++secondPolls == 100 ? Poll.Ready : Poll.Pending); // the same slot
        s.RunUntilIdle();
        Assert.Equal(1, secondPolls);
        waker.ReleaseAndJoin();
        s.RunUntilIdle();
        Assert.Equal(1, secondPolls); // the first task's late wake polled nobody
        second.Abort();
        s.RunUntilIdle();
    });

    // The same pattern in futures-unordered sets (forced): a member's waker that checked its generation just before the
    // member was taken out and its index reused polled the index's next member once.

    [Fact]
    public void AWakeForATakenOutMemberDoesNotPollTheNextMemberAtItsIndex() => Bounded.Run(() =>
    {
        using var set = new FuturesUnordered<int>(1); // every member at index 0
        var first = new WakerKeepingFuture();
        set.Push(first);
        Assert.False(set.TryNext(out _)); // polled once: pending, its waker kept
        // Passes the generation check on another thread, then stops before marking the member woken.
        var waker = HookedThread.StartStoppedAt(HookPoint.MemberWakeChecked, () => first.Waker.Wake());
        first.Ready = true;
        first.Waker.Wake(); // from here: the first member is polled, completes and is taken out
        Assert.True(set.TryNext(out int value));
        Assert.Equal(1, value);
        var second = new WakerKeepingFuture();
        set.Push(second);
        Assert.False(set.TryNext(out _));
        Assert.Equal(1, second.Polls);
        waker.ReleaseAndJoin();
        Assert.False(set.TryNext(out _));
        Assert.Equal(1, second.Polls); // the first member's late wake polled nobody
    });

    private sealed class WakerKeepingFuture : IFuture<int>
    {
        internal Waker Waker;
        internal bool Ready;
        internal int Polls;

        public Poll<int> Poll(PollContext context)
        {
            Polls++;
            Waker = context.Waker;
            return Ready ? Poll<int>.Ready(1) : Poll<int>.Pending;
        }
    }
#endif
}
