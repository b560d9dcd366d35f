using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Spec;

/// <summary>
/// The seed's <c>test/std/async_embedded_spec.spl</c>: the lightweight runtime — <c>EmbeddedScheduler</c>
/// with <c>schedule(priority, poll_fn)</c>, <c>poll_next</c>, <c>run_until_idle</c>, <c>task_count</c>,
/// <c>is_idle</c>; fixed capacity (16 tasks, 32 futures); priority queues tracked by bitmasks; cooperative
/// round-robin; no allocation; <c>EmbeddedJoinSet</c> and <c>EmbeddedFuturesUnordered</c> of capacity 32.
/// </summary>
/// <remarks>
/// Differences from the seed: the seed's capacity was fixed at 16; Tandem's is 16 by default and chosen at
/// construction (1 to 262,144). The seed's scheduler was "polling only (no waker callbacks)": Tandem's
/// embedded tier polls a pending task again only after its <see cref="Waker"/> fires. The seed's
/// <c>EmbeddedJoinSet</c>/<c>EmbeddedFuturesUnordered</c> are the shared <see cref="JoinSet{T}"/> and
/// <see cref="FuturesUnordered{T}"/>, created by the embedded scheduler.
/// </remarks>
public class EmbeddedSpec
{
    private sealed class Counter
    {
        public int Value;
    }

    /// <summary>A poll function that is pending <paramref name="pendingPolls"/> times (waking itself), then ready, logging each poll.</summary>
    private static Func<PollContext, Poll> Logged(List<string> log, string name, int pendingPolls = 0)
    {
        int polls = 0;
        return cx =>
        {
            log.Add(name);
            if (polls++ < pendingPolls)
            {
                cx.Waker.Wake();
                return Poll.Pending;
            }
            return Poll.Ready;
        };
    }

    /// <summary>A future that is ready after <c>pendingPolls</c> self-waking polls.</summary>
    private sealed class CountdownFuture(int pendingPolls, int result) : IFuture<int>
    {
        private int _polls;

        public Poll<int> Poll(PollContext context)
        {
            if (_polls++ >= pendingPolls) return result;
            context.Waker.Wake();
            return Poll<int>.Pending;
        }
    }

    public class DescribeSchedule
    {
        [Fact]
        public void ScheduleAddsATaskThatRunsWhenTheSchedulerIsPolled()
        {
            using var s = new EmbeddedScheduler();
            int calls = 0;
            var h = s.Schedule(Priority.Normal, _ =>
            {
                calls++;
                return Poll.Ready;
            });
            Assert.Equal(0, calls); // scheduling does not run it
            Assert.Equal(1, s.TaskCount);
            Assert.True(s.PollNext());
            Assert.Equal(1, calls);
            Assert.True(h.IsFinished);
            Assert.Equal(0, s.TaskCount);
        }

        [Fact]
        public void APollFunctionWithStateProducesItsValue()
        {
            using var s = new EmbeddedScheduler();
            var h = s.Schedule(Priority.High, (a: 6, b: 7), static (st, _) => Poll<int>.Ready(st.a * st.b));
            s.RunUntilIdle();
            Assert.Equal(42, h.GetResult());
        }

        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        [InlineData(16)]
        public void ScheduleBeyondCapacityThrowsAndTryScheduleSaysFalse(int capacity)
        {
            using var s = new EmbeddedScheduler(capacity);
            for (int i = 0; i < capacity; i++) s.Schedule(Priority.Normal, _ => Poll.Pending);
            var e = Assert.Throws<CapacityExceededException>(() => s.Schedule(Priority.Normal, _ => Poll.Ready));
            Assert.Equal(capacity, e.Capacity);
            Assert.False(s.TrySchedule(Priority.Critical, 0, static (int _, PollContext _) => Poll<int>.Ready(0), out var none));
            Assert.Equal(0, none.Id);
            Assert.Equal(capacity, s.TaskCount);
        }

        [Fact]
        public void FinishedTasksGiveTheirPlaceBackSoFireAndForgetNeverFills()
        {
            using var s = new EmbeddedScheduler(2);
            for (int i = 0; i < 50; i++)
            {
                s.Schedule(Priority.Normal, _ => Poll.Ready);
                s.RunUntilIdle();
            }
            Assert.Equal(0, s.TaskCount);
            Assert.True(s.TrySchedule(Priority.Normal, 1, static (int v, PollContext _) => Poll<int>.Ready(v), out _));
            Assert.True(s.TrySchedule(Priority.Normal, 2, static (int v, PollContext _) => Poll<int>.Ready(v), out _));
        }
    }

    public class DescribePollNext
    {
        [Fact]
        public void ReturnsFalseWhenNoTaskIsReady()
        {
            using var s = new EmbeddedScheduler();
            Assert.False(s.PollNext());
            s.Schedule(Priority.Normal, _ => Poll.Pending);
            Assert.True(s.PollNext());
            Assert.False(s.PollNext()); // it waits for a wake that never comes
        }

        [Fact]
        public void PollsExactlyOneTaskPerCallHighestPriorityFirst()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            s.Schedule(Priority.Low, Logged(log, "low"));
            s.Schedule(Priority.Critical, Logged(log, "critical"));
            s.Schedule(Priority.Normal, Logged(log, "normal"));
            Assert.True(s.PollNext());
            Assert.Equal(["critical"], log);
            Assert.True(s.PollNext());
            Assert.Equal(["critical", "normal"], log);
            Assert.True(s.PollNext());
            Assert.False(s.PollNext());
            Assert.Equal(["critical", "normal", "low"], log);
        }
    }

    public class DescribeRunUntilIdle
    {
        [Theory]
        [InlineData(1, 0)]
        [InlineData(3, 2)]
        [InlineData(16, 5)]
        public void RunsEveryTaskToTheEndAndCountsItsPolls(int tasks, int pendingPolls)
        {
            using var s = new EmbeddedScheduler(16);
            var log = new List<string>();
            var handles = Enumerable.Range(0, tasks).Select(i => s.Schedule(Priority.Normal, Logged(log, $"t{i}", pendingPolls))).ToList();
            int polls = s.RunUntilIdle();
            Assert.Equal(tasks * (pendingPolls + 1), polls);
            Assert.Equal(polls, log.Count);
            Assert.All(handles, h => Assert.True(h.IsFinished));
            Assert.Equal(0, s.TaskCount);
        }

        [Fact]
        public void DoesNotWaitForTimersThatAreNotDue()
        {
            var clock = new VirtualClock();
            using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
            var h = s.Spawn(Priority.Normal, async () =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(10));
                return "late";
            });
            Assert.Equal(1, s.RunUntilIdle());
            Assert.False(h.IsFinished);
            Assert.Equal(TimeSpan.Zero, clock.Elapsed); // RunUntilIdle never moves the clock
            clock.Advance(TimeSpan.FromMilliseconds(9));
            Assert.Equal(0, s.RunUntilIdle());
            clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, s.RunUntilIdle());
            Assert.Equal("late", h.GetResult());
        }
    }

    public class DescribeTaskCountAndIsIdle
    {
        [Fact]
        public void CountsUnfinishedTasksOnly()
        {
            using var s = new EmbeddedScheduler();
            var waker = Waker.Noop;
            bool release = false;
            s.Schedule(Priority.Normal, _ => Poll.Ready);
            s.Schedule(Priority.Normal, cx =>
            {
                waker = cx.Waker;
                return release ? Poll.Ready : Poll.Pending;
            });
            Assert.Equal(2, s.TaskCount);
            s.RunUntilIdle();
            Assert.Equal(1, s.TaskCount); // the waiting one
            release = true;
            waker.Wake();
            s.RunUntilIdle();
            Assert.Equal(0, s.TaskCount);
        }

        [Fact]
        public void IsIdleWhenEveryTaskWaitsAndBusyWhenOneIsReady()
        {
            using var s = new EmbeddedScheduler();
            var waker = Waker.Noop;
            s.Schedule(Priority.Normal, cx =>
            {
                waker = cx.Waker;
                return Poll.Pending;
            });
            Assert.False(s.IsIdle); // ready to run
            s.RunUntilIdle();
            Assert.True(s.IsIdle); // unfinished, but waiting
            Assert.Equal(1, s.TaskCount);
            waker.Wake(); // not on a driving loop: goes through the registry
            Assert.False(s.IsIdle);
            Assert.Equal(1, s.RunUntilIdle());
            Assert.True(s.IsIdle);
        }

        [Fact]
        public void ADueTimerMakesTheSchedulerBusy()
        {
            var clock = new VirtualClock();
            using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
            var h = s.Spawn(Priority.Normal, async () => await Async.Delay(TimeSpan.FromSeconds(1)));
            s.RunUntilIdle();
            Assert.True(s.IsIdle);
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.False(s.IsIdle);
            s.RunUntilIdle();
            Assert.True(s.IsIdle);
            Assert.True(h.IsFinished);
            Assert.Equal(0, s.TaskCount);
        }
    }

    public class DescribeFixedCapacity
    {
        [Fact]
        public void HoldsSixteenTasksByDefault()
        {
            using var s = new EmbeddedScheduler();
            Assert.Equal(16, s.Capacity);
            for (int i = 0; i < 16; i++) Assert.True(s.TrySpawn(Priority.Normal, new CountdownFuture(1, i), out _));
            Assert.False(s.TrySpawn(Priority.Normal, new CountdownFuture(0, 16), out _));
            Assert.Equal(16, s.TaskCount);
            Assert.Equal(32, s.RunUntilIdle());
            Assert.True(s.TrySpawn(Priority.Normal, new CountdownFuture(0, 16), out _)); // room again
        }

        [Theory]
        [InlineData(1)]
        [InlineData(64)]
        [InlineData(65)]
        public void ItsWakerRegistryHasOneFlagPerTaskSlot(int capacity)
        {
            // The seed's registry had a fixed 64 flags; Tandem sizes it to the scheduler's capacity.
            using var s = new EmbeddedScheduler(capacity);
            Assert.Equal(capacity, s.Capacity);
            Assert.Equal(capacity, s.Wakers.Capacity);
        }

        [Fact]
        public void ACustomCapacityComesFromTheOptions()
        {
            using var s = new EmbeddedScheduler(new EmbeddedOptions { MaxTasks = 3 });
            Assert.Equal(3, s.Capacity);
            for (int i = 0; i < 3; i++) s.Schedule(Priority.Idle, _ => Poll.Pending);
            Assert.Throws<CapacityExceededException>(() => s.Schedule(Priority.Critical, _ => Poll.Ready));
        }
    }

    public class DescribePriorityQueues
    {
        [Fact]
        public void RunsLevelsStrictlyFromCriticalToIdleWhateverTheScheduleOrder()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            foreach (var p in new[] { Priority.Idle, Priority.Low, Priority.High, Priority.Normal, Priority.Critical })
                s.Schedule(p, Logged(log, p.ToString()));
            s.RunUntilIdle();
            Assert.Equal(["Critical", "High", "Normal", "Low", "Idle"], log);
        }

        [Fact]
        public void AHigherLevelMadeReadyLaterOvertakesQueuedLowerLevels()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            var criticalWaker = Waker.Noop;
            int criticalPolls = 0;
            s.Schedule(Priority.Critical, cx =>
            {
                criticalWaker = cx.Waker;
                log.Add("critical");
                return ++criticalPolls == 2 ? Poll.Ready : Poll.Pending;
            });
            s.Schedule(Priority.Low, Logged(log, "low", pendingPolls: 3));
            s.PollNext(); // critical, now waiting
            s.PollNext(); // low, re-queued
            criticalWaker.Wake();
            s.RunUntilIdle();
            Assert.Equal(["critical", "low", "critical", "low", "low", "low"], log);
        }

        [Fact]
        public void IdleWorkRunsOnlyWhenNoOtherLevelHasWork()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            s.Schedule(Priority.Idle, Logged(log, "idle", pendingPolls: 1));
            s.Schedule(Priority.Normal, Logged(log, "normal", pendingPolls: 2));
            s.Schedule(Priority.Low, Logged(log, "low", pendingPolls: 1));
            s.RunUntilIdle();
            Assert.Equal(["normal", "normal", "normal", "low", "low", "idle", "idle"], log);
        }
    }

    public class DescribeCooperativeRoundRobin
    {
        [Fact]
        public void TasksOfOneLevelTakeTurns()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            s.Schedule(Priority.Normal, Logged(log, "a", pendingPolls: 2));
            s.Schedule(Priority.Normal, Logged(log, "b", pendingPolls: 2));
            s.Schedule(Priority.Normal, Logged(log, "c", pendingPolls: 1));
            s.RunUntilIdle();
            Assert.Equal(["a", "b", "c", "a", "b", "c", "a", "b"], log);
        }

        [Fact]
        public void AYieldingAsyncTaskLetsItsPeersRunBeforeItContinues()
        {
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            foreach (string name in new[] { "x", "y" })
                _ = s.Spawn(Priority.Normal, async () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        log.Add($"{name}{i}");
                        await Async.Yield();
                    }
                });
            s.RunUntilIdle();
            Assert.Equal(["x0", "y0", "x1", "y1", "x2", "y2"], log);
        }

        [Fact]
        public void APollRunsToItsEndBeforeAWokenHigherTaskRuns()
        {
            // Cooperative: a wake during a poll queues the woken task; it does not pre-empt the poller.
            using var s = new EmbeddedScheduler();
            var log = new List<string>();
            var criticalWaker = Waker.Noop;
            int criticalPolls = 0;
            s.Schedule(Priority.Critical, cx =>
            {
                criticalWaker = cx.Waker;
                log.Add("critical");
                return ++criticalPolls == 2 ? Poll.Ready : Poll.Pending;
            });
            s.RunUntilIdle();
            s.Schedule(Priority.Idle, _ =>
            {
                log.Add("idle starts");
                criticalWaker.Wake();
                log.Add("idle ends");
                return Poll.Ready;
            });
            s.RunUntilIdle();
            Assert.Equal(["critical", "idle starts", "idle ends", "critical"], log);
        }

        [Fact]
        public void TheSameProgramPollsInTheSameOrderEveryRun()
        {
            static List<string> Run()
            {
                using var s = new EmbeddedScheduler(8);
                var log = new List<string>();
                var priorities = new[] { Priority.Low, Priority.Normal, Priority.Normal, Priority.High, Priority.Low, Priority.Normal };
                for (int i = 0; i < priorities.Length; i++)
                    s.Schedule(priorities[i], Logged(log, $"{priorities[i]}{i}", pendingPolls: i % 3));
                s.RunUntilIdle();
                return log;
            }
            var first = Run();
            Assert.Equal(12, first.Count);
            Assert.Equal(first, Run());
            Assert.Equal(first, Run());
        }
    }

    public class DescribeNoAllocation
    {
        private static long Measure(Action cycle) => AllocationMeter.MedianBytes(cycle, warmup: 100, cycles: 1000);

        [Fact]
        public void SchedulingPollingWakingAndJoiningPollFunctionsAllocateNothing()
        {
            using var s = new EmbeddedScheduler();
            var counters = Enumerable.Range(0, 16).Select(_ => new Counter()).ToArray();
            var handles = new JoinHandle<int>[16];
            long bytes = Measure(() =>
            {
                for (int i = 0; i < handles.Length; i++)
                    handles[i] = s.Schedule(Priority.Normal, counters[i], static (c, cx) =>
                    {
                        if (++c.Value % 3 != 0)
                        {
                            cx.Waker.Wake();
                            return Poll<int>.Pending;
                        }
                        return c.Value;
                    });
                s.RunUntilIdle();
                for (int i = 0; i < handles.Length; i++) handles[i].GetResult();
            });
            Assert.Equal(0, bytes);
        }

        [Fact]
        public void AsyncTasksThatYieldDelayAndJoinAllocateNothing()
        {
            var clock = new VirtualClock();
            using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = clock });
            var counter = new Counter();
            long bytes = Measure(() =>
            {
                var parent = s.Spawn(Priority.High, (s, counter), static async st =>
                {
                    var child = st.s.Spawn(Priority.Low, st.counter, static async c =>
                    {
                        await Async.Delay(TimeSpan.FromMilliseconds(1));
                        return ++c.Value;
                    });
                    await Async.Yield();
                    return await child;
                });
                s.BlockOn(parent); // the virtual clock jumps to the delay's deadline
            });
            Assert.Equal(0, bytes);
            Assert.Equal(1100, counter.Value);
        }
    }

    public class DescribeEmbeddedJoinSet
    {
        [Fact]
        public void HoldsThirtyTwoTasksByDefault()
        {
            using var s = new EmbeddedScheduler(64);
            using var set = s.CreateJoinSet<int>();
            Assert.Equal(32, set.Capacity);
            for (int i = 0; i < 32; i++) set.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i; });
            var e = Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, 32, static async i => { await Async.Yield(); return i; }));
            Assert.Equal(32, e.Capacity);
            Assert.False(set.TrySpawn(Priority.Normal, 33, static async i => { await Async.Yield(); return i; }, out _));
            Assert.Equal(32, set.Count);
            Assert.Equal(32, s.TaskCount); // the refused spawns never reached the scheduler
        }

        [Fact]
        public void JoinsInCompletionOrder()
        {
            using var s = new EmbeddedScheduler();
            using var set = s.CreateJoinSet<int>();
            // Task i yields 5 - i times: under round-robin the last spawned finishes first.
            for (int i = 0; i < 5; i++)
                set.Spawn(Priority.Normal, i, static async i =>
                {
                    for (int k = 0; k < 5 - i; k++) await Async.Yield();
                    return i;
                });
            s.RunUntilIdle();
            var order = new List<int>();
            while (set.TryJoinNext(out int v)) order.Add(v);
            Assert.Equal([4, 3, 2, 1, 0], order);
        }

        [Fact]
        public void AFullSchedulerRefusesTheSetsSpawnWithoutChangingTheSet()
        {
            using var s = new EmbeddedScheduler(4);
            using var set = s.CreateJoinSet<int>();
            for (int i = 0; i < 4; i++) set.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i; });
            Assert.False(set.TrySpawn(Priority.Normal, 4, static async i => { await Async.Yield(); return i; }, out _));
            var e = Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, 4, static async i => { await Async.Yield(); return i; }));
            Assert.Equal(4, e.Capacity); // the scheduler's capacity, not the set's
            Assert.Equal(4, set.Count);
            s.RunUntilIdle();
            int sum = 0;
            while (set.TryJoinNext(out int v)) sum += v;
            Assert.Equal(6, sum);
        }

        [Fact]
        public void DisposingTheSetAbortsWhatIsStillRunning()
        {
            using var s = new EmbeddedScheduler();
            int unwound = 0;
            var set = s.CreateJoinSet<int>();
            for (int i = 0; i < 3; i++)
                set.Spawn(Priority.Normal, async () =>
                {
                    try
                    {
                        await Async.Delay(TimeSpan.FromDays(1));
                        return 0;
                    }
                    finally
                    {
                        unwound++;
                    }
                });
            s.RunUntilIdle();
            Assert.Equal(3, s.TaskCount);
            set.Dispose();
            s.RunUntilIdle();
            Assert.Equal(3, unwound);
            Assert.Equal(0, s.TaskCount);
        }
    }

    public class DescribeEmbeddedFuturesUnordered
    {
        [Fact]
        public void HoldsThirtyTwoFuturesByDefaultAndFreesPlacesAsResultsAreTaken()
        {
            using var s = new EmbeddedScheduler();
            using var set = s.CreateFuturesUnordered<int>();
            for (int i = 0; i < 32; i++) set.Push(new CountdownFuture(0, i));
            var e = Assert.Throws<CapacityExceededException>(() => set.Push(new CountdownFuture(0, 32)));
            Assert.Equal(32, e.Capacity);
            Assert.Equal(32, set.Count);
            Assert.True(set.TryNext(out _));
            set.Push(new CountdownFuture(0, 32)); // a place was freed
            Assert.Equal(32, set.Count);
        }

        [Fact]
        public void GivesResultsInCompletionOrder()
        {
            using var s = new EmbeddedScheduler();
            var order = s.BlockOn(async () =>
            {
                using var set = s.CreateFuturesUnordered<int>();
                set.Push(new CountdownFuture(6, 6));
                set.Push(new CountdownFuture(0, 0));
                set.Push(new CountdownFuture(3, 3));
                var got = new List<int>();
                await foreach (int v in set) got.Add(v);
                return got;
            });
            Assert.Equal([0, 3, 6], order);
        }

        [Fact]
        public void AnImmediatelyReadyFutureCompletesOnItsFirstPoll()
        {
            // The seed's EmbeddedFuture<T>: a future already Ready.
            using var s = new EmbeddedScheduler();
            var h = s.Spawn(Priority.Normal, new CountdownFuture(0, 77));
            Assert.Equal(1, s.RunUntilIdle());
            Assert.Equal(77, h.GetResult());
        }
    }

    public class DescribeSeedExample4EmbeddedScheduler
    {
        [Fact]
        public void ANewSchedulerHasNoTasksAndIsIdleThenRunsWhatIsScheduled()
        {
            using var scheduler = new EmbeddedScheduler();
            Assert.Equal(0, scheduler.TaskCount);
            Assert.True(scheduler.IsIdle);

            // "When function fields are supported: scheduler.schedule(Priority.Normal, \: poll_my_task())"
            int polled = 0;
            Poll PollMyTask(PollContext cx)
            {
                if (++polled < 3)
                {
                    cx.Waker.Wake();
                    return Poll.Pending;
                }
                return Poll.Ready;
            }
            var h = scheduler.Schedule(Priority.Normal, PollMyTask);
            Assert.Equal(1, scheduler.TaskCount);
            Assert.False(scheduler.IsIdle);
            Assert.Equal(3, scheduler.RunUntilIdle());
            Assert.Equal(3, polled);
            Assert.True(h.IsFinished);
            Assert.Equal(0, scheduler.TaskCount);
            Assert.True(scheduler.IsIdle);
        }
    }
}
