using System.Collections.Concurrent;
using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Spec;

/// <summary>
/// The seed's <c>test/std/async_host_spec.spl</c>: the full-featured runtime — <c>HostScheduler</c> with
/// <c>spawn(priority, future)</c>, <c>block_on(future)</c>, <c>try_join_next()</c>, work stealing across worker
/// threads, waker callbacks, a thread pool (<see cref="HostScheduler.SpawnBlocking{T}"/>) and dynamic capacity.
/// </summary>
/// <remarks>
/// Differences from the seed: the seed's <c>HostJoinSet</c> was unbounded ("Dynamic"); Tandem's
/// <see cref="JoinSet{T}"/> has a fixed capacity (default 32, up to 2^20) on both tiers, while the host
/// scheduler itself holds any number of tasks. The seed's <c>try_join_next</c> is <see cref="JoinSet{T}.TryJoinNext"/>.
/// </remarks>
public class HostSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public class DescribeSpawn
    {
        [Fact]
        public void SpawnedAsyncMethodsRunOnTheWorkersAndReturnTheirResult() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(new HostOptions { WorkerCount = 2, ThreadNamePrefix = "Spec" });
            var h = s.Spawn(Priority.Normal, async () =>
            {
                await Async.Yield();
                return Thread.CurrentThread.Name;
            });
            Assert.StartsWith("Spec worker", s.BlockOn(h));
            Assert.True(h.IsFinished);
        });

        [Fact]
        public void SpawnAcceptsAHandWrittenFutureAndAPollFunction() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            int polls = 0;
            var fn = s.Schedule(Priority.High, cx =>
            {
                if (Interlocked.Increment(ref polls) < 3)
                {
                    cx.Waker.Wake();
                    return Poll<int>.Pending;
                }
                return Poll<int>.Ready(30);
            });
            var future = s.Spawn(Priority.Low, new ReadyAfterFuture(2, 12));
            Assert.Equal(30, s.BlockOn(fn));
            Assert.Equal(12, s.BlockOn(future));
            Assert.Equal(3, polls);
        });

        [Fact]
        public void TasksSpawnAndAwaitTasksToAnyDepth() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            int total = s.BlockOn(s.Spawn(Priority.Normal, (s, depth: 6), Tree));
            Assert.Equal(127, total); // a full binary tree of depth 6 has 2^7 - 1 nodes

            static async TandemTask<int> Tree((HostScheduler s, int depth) st)
            {
                if (st.depth == 0) return 1;
                var left = st.s.Spawn(Priority.Normal, (st.s, st.depth - 1), Tree);
                var right = st.s.Spawn(Priority.Normal, (st.s, st.depth - 1), Tree);
                return 1 + await left + await right;
            }
        });

        [Fact]
        public void SpawningAfterShutdownIsRefused() => Bounded.Run(() =>
        {
            var s = new HostScheduler(1);
            Assert.True(s.Shutdown(Wait));
            Assert.True(s.IsShutdown);
            Assert.Throws<ObjectDisposedException>(() => s.Spawn(Priority.Normal, async () => { await Async.Yield(); }));
            Assert.Throws<ObjectDisposedException>(() => s.Schedule(Priority.Normal, _ => Poll.Ready));
            Assert.Throws<ObjectDisposedException>(() => s.SpawnBlocking(() => 1));
        });
    }

    public class DescribeBlockOn
    {
        [Fact]
        public void ReturnsTheResultOrRethrowsTheTasksException() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            Assert.Equal("ok", s.BlockOn(async () =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(1));
                return "ok";
            }));
            var e = Assert.Throws<ArithmeticException>(() => s.BlockOn<int>(async () =>
            {
                await Async.Yield();
                throw new ArithmeticException("overflow in task");
            }));
            Assert.Equal("overflow in task", e.Message);
        });

        [Fact]
        public void ThrowsTaskAbortedForAnAbortedTask() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            var h = s.Spawn(Priority.Normal, async () =>
            {
                await Async.Delay(TimeSpan.FromDays(1));
                return 0;
            });
            h.Abort();
            Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        });

        [Fact]
        public void RefusesToBlockAWorkerThreadOfItsOwn() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            var inner = s.Spawn(Priority.Normal, async () => { await Async.Yield(); return 1; });
            var outcome = s.BlockOn(() =>
            {
                try
                {
                    s.BlockOn(inner);
                    return new TandemTask<string>("blocked");
                }
                catch (InvalidOperationException)
                {
                    return new TandemTask<string>("refused");
                }
            });
            Assert.Equal("refused", outcome);
            Assert.Equal(1, s.BlockOn(inner));
        });
    }

    public class DescribeTryJoinNext
    {
        [Fact]
        public void IsFalseUntilATaskFinishesThenJoinsInCompletionOrder() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            using var set = s.CreateJoinSet<int>();
            var gates = Enumerable.Range(0, 3).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
            var handles = new AbortHandle[3];
            for (int i = 0; i < 3; i++)
                handles[i] = set.Spawn(Priority.Normal, (gates[i], i), static async st =>
                {
                    await st.Item1.Task;
                    return st.i;
                });
            Assert.False(set.TryJoinNext(out _));
            foreach (int i in new[] { 2, 0, 1 })
            {
                gates[i].SetResult();
                Assert.True(SpinWait.SpinUntil(() => handles[i].IsFinished, Wait));
            }
            var order = new List<int>();
            while (set.TryJoinNext(out int v)) order.Add(v);
            Assert.Equal([2, 0, 1], order);
            Assert.True(set.IsEmpty);
        });

        [Fact]
        public void ATaskDrainsAJoinSetOfManyTasksAsTheyFinish() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            long sum = s.BlockOn(async () =>
            {
                using var set = s.CreateJoinSet<long>(500);
                for (int i = 1; i <= 500; i++)
                    set.Spawn(Priority.Normal, (long)i, static async v =>
                    {
                        if (v % 7 == 0) await Async.Delay(TimeSpan.FromMilliseconds(1));
                        await Async.Yield();
                        return v;
                    });
                long total = 0;
                while (!set.IsEmpty)
                {
                    if (set.TryJoinNext(out long v)) total += v;
                    else total += await set.JoinNextAsync();
                }
                return total;
            });
            Assert.Equal(500L * 501 / 2, sum);
        });
    }

    public class DescribeWorkStealing
    {
        [Fact]
        public void TasksQueuedOnOneWorkerAreRunByEveryIdleWorker() => Bounded.Run(() =>
        {
            const int Workers = 3;
            using var s = new HostScheduler(Workers);
            var threads = new ConcurrentDictionary<int, bool>();
            using var allSeen = new ManualResetEventSlim(false);
            bool released = s.BlockOn(async () =>
            {
                // Spawned from inside a task, so every task starts in this worker's own queues; each then holds
                // its worker until all three workers hold one, which only stealing can bring about.
                var handles = new JoinHandle<bool>[48];
                for (int i = 0; i < handles.Length; i++)
                    handles[i] = s.Spawn(Priority.Normal, (threads, allSeen), static st =>
                    {
                        st.threads.TryAdd(Environment.CurrentManagedThreadId, true);
                        if (st.threads.Count >= Workers) st.allSeen.Set();
                        return new TandemTask<bool>(st.allSeen.Wait(TimeSpan.FromSeconds(20)));
                    });
                bool all = true;
                foreach (var h in handles) all &= await h;
                return all;
            });
            Assert.True(released, "the idle workers never took tasks from the busy worker's queue");
            Assert.Equal(Workers, threads.Count);
        });

        [Fact]
        public void ABusyWorkerDoesNotHoldUpWorkQueuedBehindIt() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            using var release = new ManualResetEventSlim(false);
            int done = s.BlockOn(async () =>
            {
                // The first child blocks its worker until the rest have all run: they must run elsewhere.
                var blocker = s.Spawn(Priority.Normal, release, static r => new TandemTask<bool>(r.Wait(TimeSpan.FromSeconds(20))));
                var rest = new JoinHandle<int>[20];
                for (int i = 0; i < rest.Length; i++) rest[i] = s.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return 1; });
                int n = 0;
                foreach (var h in rest) n += await h;
                release.Set();
                Assert.True(await blocker);
                return n;
            });
            Assert.Equal(20, done);
        });
    }

    public class DescribeWakerCallbacks
    {
        [Fact]
        public void AWakeFromAForeignThreadRepollsThePendingTask() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            using var gotWaker = new ManualResetEventSlim(false);
            var waker = Waker.Noop;
            int released = 0, polls = 0;
            var h = s.Schedule(Priority.Normal, cx =>
            {
                if (Interlocked.Increment(ref polls) == 1)
                {
                    waker = cx.Waker;
                    gotWaker.Set();
                }
                return Volatile.Read(ref released) == 1 ? Poll<string>.Ready("woken") : Poll<string>.Pending;
            });
            Assert.True(gotWaker.Wait(Wait));
            Assert.Equal(-1, waker.RegistryIndex); // host wakers queue the task directly; no registry in between
            var thread = new Thread(() =>
            {
                Volatile.Write(ref released, 1);
                waker.Wake();
            });
            thread.Start();
            Assert.Equal("woken", s.BlockOn(h));
            thread.Join();
            Assert.Equal(2, Volatile.Read(ref polls)); // one wake, one more poll
        });

        [Fact]
        public void AWakeDuringThePollThatReturnsPendingIsNotLost() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(2);
            int polls = 0;
            var h = s.Schedule(Priority.Normal, cx =>
            {
                int n = Interlocked.Increment(ref polls);
                if (n == 100) return Poll<int>.Ready(n);
                // Wake from another thread while this poll is still running.
                var waker = cx.Waker;
                var t = new Thread(() => waker.Wake());
                t.Start();
                t.Join();
                return Poll<int>.Pending;
            });
            Assert.Equal(100, s.BlockOn(h));
        });

        [Fact]
        public void AwaitingAForeignTaskResumesOnAWorkerAtTheTasksPriority() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(new HostOptions { WorkerCount = 2, ThreadNamePrefix = "Cb" });
            var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var h = s.Spawn(Priority.High, async () =>
            {
                int v = await tcs.Task;
                return (v, Thread.CurrentThread.Name, Async.CurrentPriority);
            });
            var completer = new Thread(() => tcs.SetResult(5)) { Name = "foreign" };
            completer.Start();
            var (value, thread, priority) = s.BlockOn(h);
            completer.Join();
            Assert.Equal(5, value);
            Assert.StartsWith("Cb worker", thread);
            Assert.Equal(Priority.High, priority);
        });
    }

    public class DescribeThreadPool
    {
        [Fact]
        public void StartsTheRequestedNumberOfWorkers() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(3);
            Assert.Equal(3, s.WorkerCount);
            using var defaulted = new HostScheduler();
            Assert.Equal(Environment.ProcessorCount, defaulted.WorkerCount);
            Assert.Throws<ArgumentOutOfRangeException>(() => new HostScheduler(0));
        });

        [Fact]
        public void SpawnBlockingRunsOffTheWorkersAndHandsBackItsValue() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(new HostOptions { WorkerCount = 1, ThreadNamePrefix = "Pool" });
            var (length, ranOn) = s.BlockOn(async () =>
            {
                string? ranOn = null;
                int length = await s.SpawnBlocking(() =>
                {
                    ranOn = Thread.CurrentThread.Name;
                    return "blocking work".Length;
                });
                return (length, ranOn);
            });
            Assert.Equal(13, length);
            Assert.Equal("Pool blocking", ranOn);
        });

        [Fact]
        public void BlockingWorkAbortedBeforeItStartsNeverRuns() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(new HostOptions { WorkerCount = 1, MaxBlockingThreads = 1 });
            using var started = new ManualResetEventSlim(false);
            using var release = new ManualResetEventSlim(false);
            var first = s.SpawnBlocking(() =>
            {
                started.Set();
                return release.Wait(TimeSpan.FromSeconds(20));
            });
            Assert.True(started.Wait(Wait)); // the only blocking thread is busy
            int secondRan = 0;
            var second = s.SpawnBlocking(() => { Interlocked.Increment(ref secondRan); });
            second.Abort();
            release.Set();
            Assert.True(s.BlockOn(first));
            Assert.Throws<TaskAbortedException>(() => s.BlockOn(second));
            Assert.Equal(0, secondRan);
        });

        [Fact]
        public void ABlockingJobsExceptionReachesItsJoiner() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(1);
            var e = Assert.Throws<IOException>(() => s.BlockOn(s.SpawnBlocking<int>(() => throw new IOException("disk"))));
            Assert.Equal("disk", e.Message);
        });
    }

    public class DescribeDynamicCapacity
    {
        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        public void HoldsThousandsOfUnfinishedTasksAtOnce(int workers) => Bounded.Run(() =>
        {
            // The seed: "Capacity: Unlimited (memory-bounded)". Far beyond the embedded tier's default 16.
            const int N = 5_000;
            using var s = new HostScheduler(workers);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var handles = new JoinHandle<int>[N];
            for (int i = 0; i < N; i++)
            {
                Assert.True(s.TrySpawn(Priority.Normal, (gate, i), static async st =>
                {
                    await st.gate.Task;
                    return st.i;
                }, out handles[i]));
            }
            Assert.Equal(N, s.TaskCount);
            gate.SetResult();
            long sum = 0;
            foreach (var h in handles) sum += s.BlockOn(h);
            Assert.Equal((long)N * (N - 1) / 2, sum);
            Assert.Equal(0, s.TaskCount);
        });

        [Fact]
        public void CriticalWorkQueuedBehindNormalWorkStartsFirst() => Bounded.Run(() =>
        {
            using var s = new HostScheduler(1);
            using var started = new ManualResetEventSlim(false);
            using var release = new ManualResetEventSlim(false);
            var hold = s.Spawn(Priority.Critical, () =>
            {
                started.Set();
                release.Wait(TimeSpan.FromSeconds(20));
                return TandemTask.CompletedTask;
            });
            Assert.True(started.Wait(Wait));
            var log = new ConcurrentQueue<Priority>();
            var handles = new List<JoinHandle>();
            foreach (var p in new[] { Priority.Normal, Priority.Low, Priority.Normal, Priority.Critical, Priority.High })
                handles.Add(s.Spawn(p, log, static l =>
                {
                    l.Enqueue(Async.CurrentPriority);
                    return TandemTask.CompletedTask;
                }));
            release.Set();
            s.BlockOn(hold);
            foreach (var h in handles) s.BlockOn(h);
            Assert.Equal([Priority.Critical, Priority.High, Priority.Normal, Priority.Normal, Priority.Low], log.ToArray());
        });
    }

    /// <summary>A future ready after <c>pendingPolls</c> self-waking polls.</summary>
    private sealed class ReadyAfterFuture(int pendingPolls, int result) : IFuture<int>
    {
        private int _polls;

        public Poll<int> Poll(PollContext context)
        {
            if (_polls++ >= pendingPolls) return result;
            context.Waker.Wake();
            return Poll<int>.Pending;
        }
    }
}
