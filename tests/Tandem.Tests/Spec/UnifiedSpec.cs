using System.Collections.Concurrent;
using Tandem;
using Tandem.Embedded;
using Tandem.Host;
using Tandem.Tests.Conformance;

namespace Tandem.Tests.Spec;

/// <summary>
/// The seed's <c>test/std/async_unified_spec.spl</c>: <c>UnifiedRuntime.with_mode(Embedded|Host)</c> →
/// <see cref="Runtime.WithMode"/>, with <c>mode</c>, <c>spawn</c>, <c>block_on</c>, <c>join_set</c>,
/// <c>is_finished</c> and <c>abort</c> delegating to the tier, and the seed's comparison table with Tokio
/// (<c>spawn()</c>, <c>block_on()</c>, <c>JoinSet</c>, <c>FuturesUnordered</c>, <c>is_finished()</c>,
/// <c>abort()</c>, <c>async fn</c> / <c>await</c>) checked on both tiers.
/// </summary>
/// <remarks>
/// Differences from the seed: the seed's <c>UnifiedRuntime</c> held an optional embedded and an optional host
/// scheduler; Tandem's <see cref="Runtime"/> is the abstract base of both tiers, and <c>WithMode</c> returns the
/// tier itself. The seed marked <c>async fn</c> and <c>await</c> "pending": in Tandem they are C# async
/// methods returning <see cref="TandemTask"/>/<see cref="TandemTask{T}"/>.
/// </remarks>
public class UnifiedSpec
{
    public class DescribeWithMode
    {
        [Fact]
        public void EmbeddedModeBuildsTheEmbeddedTierWithTheSeedsDefaults()
        {
            using var rt = Runtime.WithMode(RuntimeMode.Embedded);
            Assert.Equal(RuntimeMode.Embedded, rt.Mode);
            var embedded = Assert.IsType<EmbeddedScheduler>(rt);
            Assert.Equal(TandemDefaults.DefaultMaxTasks, embedded.Capacity);
            Assert.Same(TimeProvider.System, rt.Clock);
        }

        [Fact]
        public void HostModeBuildsTheHostTierWithTheRequestedWorkers() => Bounded.Run(() =>
        {
            using var rt = Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 3 });
            Assert.Equal(RuntimeMode.Host, rt.Mode);
            Assert.Equal(3, Assert.IsType<HostScheduler>(rt).WorkerCount);
        });

        [Fact]
        public void OptionsReachTheTierTheyBelongToAndBadOnesAreRejected()
        {
            var clock = new VirtualClock();
            using (var rt = Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = 5, Clock = clock }))
            {
                Assert.Equal(5, ((EmbeddedScheduler)rt).Capacity);
                Assert.Same(clock, rt.Clock);
            }
            // A virtual clock is for the embedded tier only.
            Assert.Throws<ArgumentException>(() => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { Clock = clock }));
            Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(RuntimeMode.Embedded, new RuntimeOptions { MaxTasks = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode(RuntimeMode.Host, new RuntimeOptions { WorkerCount = 0 }));
            Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => Runtime.WithMode((RuntimeMode)2)).ParamName);
        }

        [Fact]
        public void TheTwoModesAreNumberedAsInTheSeed()
        {
            Assert.Equal(0, (int)RuntimeMode.Embedded);
            Assert.Equal(1, (int)RuntimeMode.Host);
            Assert.Equal(2, Enum.GetValues<RuntimeMode>().Length);
        }
    }

    public class DescribeSpawn
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void RunsTheTaskAtItsPriorityAndInsideItsRuntime(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            foreach (var p in Priorities.All.ToArray())
            {
                var h = rt.Spawn(p, async () =>
                {
                    await Async.Yield();
                    return (Async.CurrentPriority, Runtime.Current, Async.CurrentTaskId);
                });
                var (priority, current, id) = rt.BlockOn(h);
                Assert.Equal(p, priority);
                Assert.Same(rt, current);
                Assert.Equal(h.Id, id);
            }
            Assert.Null(Runtime.Current); // outside any task
            Assert.Equal(0, Async.CurrentTaskId);
        });

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void SpawnsPollFunctionsAndFuturesBesideAsyncMethods(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            int polls = 0;
            var fn = rt.Schedule(Priority.Normal, 5, (n, cx) =>
            {
                if (Interlocked.Increment(ref polls) < n)
                {
                    cx.Waker.Wake();
                    return Poll<int>.Pending;
                }
                return Poll<int>.Ready(n * 10);
            });
            var future = rt.Spawn(Priority.Low, new PendingThenReady<string>(2, "future"));
            var method = rt.Spawn(Priority.High, async () =>
            {
                await Async.Yield();
                return "method";
            });
            Assert.Equal(50, rt.BlockOn(fn));
            Assert.Equal("future", rt.BlockOn(future));
            Assert.Equal("method", rt.BlockOn(method));
            Assert.Equal(5, polls);
        });
    }

    public class DescribeBlockOn
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void BlocksUntilTheWorkEndsAndHandsBackItsOutcome(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            int sideEffect = 0;
            rt.BlockOn(async () =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(2));
                sideEffect = 1;
            });
            Assert.Equal(1, sideEffect);
            Assert.Equal(9, rt.BlockOn(new PendingThenReady<int>(3, 9)));
            var e = Assert.Throws<KeyNotFoundException>(() => rt.BlockOn<int>(async () =>
            {
                await Async.Yield();
                throw new KeyNotFoundException("missing");
            }));
            Assert.Equal("missing", e.Message);
        });
    }

    public class DescribeJoinSet
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void JoinsTheTaskThatFinishedFirst(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            var order = rt.BlockOn(async () =>
            {
                using var set = rt.CreateJoinSet<string>();
                Assert.Equal(32, set.Capacity);
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                set.Spawn(Priority.Normal, async () =>
                {
                    await gate.Task;
                    return "spawned first, finished last";
                });
                set.Spawn(Priority.Normal, async () =>
                {
                    await Async.Yield();
                    return "spawned last, finished first";
                });
                // The first task cannot finish until the gate opens: the first join must be the second task.
                string first = await set.JoinNextAsync();
                Assert.False(set.TryJoinNext(out _));
                gate.SetResult();
                string second = await set.JoinNextAsync();
                return new[] { first, second };
            });
            Assert.Equal(["spawned last, finished first", "spawned first, finished last"], order);
        });

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void AFullSetRefusesMoreTasks(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            using var set = rt.CreateJoinSet<int>(capacity: 3);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (int i = 0; i < 3; i++)
                set.Spawn(Priority.Normal, (gate, i), static async st =>
                {
                    await st.gate.Task;
                    return st.i;
                });
            Assert.Equal(3, Assert.Throws<CapacityExceededException>(() => set.Spawn(Priority.Normal, async () => { await Async.Yield(); return 0; })).Capacity);
            gate.SetResult();
            int sum = rt.BlockOn(async () =>
            {
                int total = 0;
                while (!set.IsEmpty) total += await set.JoinNextAsync();
                return total;
            });
            Assert.Equal(3, sum);
        });
    }

    public class DescribeFuturesUnordered
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void CollectsTasksAndFuturesInCompletionOrder(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            var got = rt.BlockOn(async () =>
            {
                using var set = rt.CreateFuturesUnordered<string>();
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                set.Push(rt.Spawn(Priority.Normal, async () =>
                {
                    await gate.Task;
                    return "task";
                }));
                set.Push(new PendingThenReady<string>(4, "future"));
                var results = new List<string> { await set.NextAsync() };
                gate.SetResult();
                results.Add(await set.NextAsync());
                return results;
            });
            Assert.Equal(["future", "task"], got);
        });
    }

    public class DescribeIsFinished
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void IsFalseWhileTheTaskRunsAndTrueOnceItEndsByAnyRoute(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            var states = rt.BlockOn(async () =>
            {
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var completes = rt.Spawn(async () => { await gate.Task; return 1; });
                var faults = rt.Spawn<int>(async () => { await gate.Task; throw new InvalidOperationException(); });
                var aborted = rt.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); return 3; });
                await Async.Yield();
                var before = new[] { completes.IsFinished, faults.IsFinished, aborted.IsFinished };
                gate.SetResult();
                aborted.Abort();
                while (!(completes.IsFinished && faults.IsFinished && aborted.IsFinished)) await Async.Yield();
                var after = new[] { completes.State, faults.State, aborted.State };
                Assert.Equal(1, await completes);
                Assert.True(completes.IsFinished); // still, after the join
                faults.Detach();
                aborted.Detach();
                return (before, after);
            });
            Assert.Equal([false, false, false], states.before);
            Assert.Equal([TaskState.Completed, TaskState.Faulted, TaskState.Aborted], states.after);
        });
    }

    public class DescribeAbort
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void StopsTheTaskAtItsNextAwaitAndRunsItsFinallyBlocks(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            var log = new ConcurrentQueue<string>();
            var h = rt.Spawn(async () =>
            {
                try
                {
                    log.Enqueue("start");
                    await Async.Delay(TimeSpan.FromDays(1));
                    log.Enqueue("not reached");
                    return 0;
                }
                finally
                {
                    log.Enqueue("finally");
                }
            });
            rt.BlockOn(async () =>
            {
                while (!log.Contains("start")) await Async.Yield();
            });
            h.Abort();
            var e = Assert.Throws<TaskAbortedException>(() => rt.BlockOn(h));
            Assert.Equal(h.Id, e.TaskId);
            Assert.Equal(["start", "finally"], log);
        });

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void ACancelledTokenAbortsThroughAbortOn(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            using var cts = new CancellationTokenSource();
            var h = rt.Spawn(async () => await Async.Delay(TimeSpan.FromDays(1)));
            using var registration = h.AbortOn(cts.Token);
            cts.Cancel();
            Assert.Throws<TaskAbortedException>(() => rt.BlockOn(h));
        });

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void TimeoutAbortsWorkThatOverruns(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            int unwound = 0;
            var outcome = rt.BlockOn(async () =>
            {
                try
                {
                    await rt.Timeout(TimeSpan.FromMilliseconds(20), async () =>
                    {
                        try { await Async.Delay(TimeSpan.FromDays(1)); }
                        finally { Volatile.Write(ref unwound, 1); }
                    });
                    return "finished";
                }
                catch (TimeoutException)
                {
                    return "timed out";
                }
            });
            Assert.Equal("timed out", outcome);
            rt.BlockOn(async () =>
            {
                while (Volatile.Read(ref unwound) == 0) await Async.Yield(); // the aborted work unwinds through its finally
            });
            Assert.Equal(7, rt.BlockOn(() => rt.Timeout(TimeSpan.FromSeconds(30), async () => { await Async.Yield(); return 7; })));
        });
    }

    public class DescribeAsyncFnAndAwait
    {
        private static async TandemTask<int> Fib(int n)
        {
            if (n < 2) return n;
            await Async.Yield();
            return await Fib(n - 1) + await Fib(n - 2);
        }

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void NestedAsyncMethodsAwaitEachOther(Tier mode) => Bounded.Run(() =>
        {
            using var rt = Runtimes.Create(mode);
            Assert.Equal(144, rt.BlockOn(() => Fib(12)));
        });

        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void TheTokioTableReadsTheSameOnBothTiers(Tier mode) => Bounded.Run(() =>
        {
            // spawn(), block_on(), JoinSet, FuturesUnordered, is_finished(), abort(), async fn / await: one
            // program using each row, whose transcript must not depend on the tier.
            using var rt = Runtimes.Create(mode);
            var transcript = rt.BlockOn(async () =>
            {
                var lines = new List<string>();
                var spawned = rt.Spawn(Priority.High, () => Fib(10));
                lines.Add($"spawn: {await spawned}");
                lines.Add($"is_finished: {spawned.IsFinished}");

                using (var set = rt.CreateJoinSet<int>())
                {
                    for (int i = 1; i <= 4; i++) set.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i * i; });
                    int sum = 0;
                    while (!set.IsEmpty) sum += await set.JoinNextAsync();
                    lines.Add($"JoinSet: {sum}");
                }

                using (var unordered = rt.CreateFuturesUnordered<int>())
                {
                    unordered.Push(new PendingThenReady<int>(1, 5));
                    unordered.Push(rt.Spawn(async () => { await Async.Yield(); return 6; }));
                    int sum = 0;
                    await foreach (int v in unordered) sum += v;
                    lines.Add($"FuturesUnordered: {sum}");
                }

                var doomed = rt.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); return -1; });
                doomed.Abort();
                try
                {
                    await doomed;
                }
                catch (TaskAbortedException)
                {
                    lines.Add("abort: aborted");
                }
                return lines;
            });
            Assert.Equal(["spawn: 55", "is_finished: True", "JoinSet: 30", "FuturesUnordered: 11", "abort: aborted"], transcript);
            Assert.Equal(0, rt.TaskCount);
        });
    }

    public class DescribeShutdown
    {
        [Theory]
        [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
        public void DisposeUnwindsUnfinishedTasksAndRefusesNewOnes(Tier mode) => Bounded.Run(() =>
        {
            var rt = Runtimes.Create(mode);
            int unwound = 0, started = 0;
            var handles = Enumerable.Range(0, 4).Select(_ => rt.Spawn(async () =>
            {
                Interlocked.Increment(ref started);
                try { await Async.Delay(TimeSpan.FromDays(1)); }
                finally { Interlocked.Increment(ref unwound); }
            })).ToList();
            rt.BlockOn(async () =>
            {
                while (Volatile.Read(ref started) < 4) await Async.Yield();
            });
            rt.Dispose();
            Assert.Equal(4, Volatile.Read(ref unwound));
            Assert.All(handles, h => Assert.True(h.IsFinished));
            Assert.Throws<ObjectDisposedException>(() => rt.Spawn(async () => { await Async.Yield(); return 1; }));
        });
    }

    /// <summary>A future pending for <c>pendingPolls</c> self-waking polls, then ready.</summary>
    private sealed class PendingThenReady<T>(int pendingPolls, T value) : IFuture<T>
    {
        private int _polls;

        public Poll<T> Poll(PollContext context)
        {
            if (_polls++ >= pendingPolls) return value;
            context.Waker.Wake();
            return Poll<T>.Pending;
        }
    }
}
