using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostAbortTests
{
    [Fact]
    public void AbortRunsTheFinallyOfATaskInDelay() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var started = new ManualResetEventSlim(false);
        int finallies = 0;
        bool afterDelay = false;
        var h = s.Spawn(async () =>
        {
            started.Set();
            try
            {
                await Async.Delay(TimeSpan.FromMinutes(10));
                afterDelay = true;
            }
            finally
            {
                Interlocked.Increment(ref finallies);
            }
        });
        Assert.True(started.Wait(TestUtil.Bound));
        h.Abort();
        var e = Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        Assert.Equal(h.Id, e.TaskId);
        Assert.Equal(1, finallies);
        Assert.False(afterDelay);
    });

    [Fact]
    public void AbortRunsTheFinallyOfATaskInAYieldLoop() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var looping = new ManualResetEventSlim(false);
        long iterations = 0;
        int finallies = 0;
        var h = s.Spawn(async () =>
        {
            try
            {
                while (true)
                {
                    if (Interlocked.Increment(ref iterations) == 100) looping.Set();
                    await Async.Yield();
                }
            }
            finally
            {
                Interlocked.Increment(ref finallies);
            }
        });
        Assert.True(looping.Wait(TestUtil.Bound));
        h.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        Assert.Equal(1, finallies);
        long after = Interlocked.Read(ref iterations);
        Assert.True(s.BlockOn(async () =>
        {
            for (int i = 0; i < 100; i++) await Async.Yield();
            return true;
        }));
        Assert.Equal(after, Interlocked.Read(ref iterations)); // the loop does not run on after the abort
    });

    [Fact]
    public void AbortRunsTheFinallyOfATaskAwaitingAnotherHandle() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var awaiting = new ManualResetEventSlim(false);
        int outerFinally = 0, innerFinally = 0;
        var inner = s.Spawn(async () =>
        {
            try
            {
                await Async.Delay(TimeSpan.FromMinutes(10));
                return 1;
            }
            finally
            {
                Interlocked.Increment(ref innerFinally);
            }
        });
        var outer = s.Spawn(async () =>
        {
            try
            {
                awaiting.Set();
                return await inner;
            }
            finally
            {
                Interlocked.Increment(ref outerFinally);
            }
        });
        Assert.True(awaiting.Wait(TestUtil.Bound));
        outer.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(outer));
        Assert.Equal(1, outerFinally);
        Assert.Equal(0, innerFinally); // aborting the joiner does not abort the joined task
        Assert.False(inner.IsFinished);

        // The inner task's joiner gave up; a new joiner may take its place.
        inner.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(inner));
        Assert.Equal(1, innerFinally);
    });

    [Fact]
    public void AwaitingAnAbortedTaskThrowsTaskAbortedException() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var (caughtId, victimId, state) = s.BlockOn(async () =>
        {
            var victim = s.Spawn(async () =>
            {
                await Async.Delay(TimeSpan.FromMinutes(10));
                return 1;
            });
            await Async.Yield();
            victim.Abort();
            try
            {
                await victim;
                return (0L, victim.Id, TaskState.Completed);
            }
            catch (TaskAbortedException e)
            {
                // Joined now: the state still says how it ended.
                Assert.Equal(TaskState.Aborted, victim.State);
                return (e.TaskId, victim.Id, TaskState.Aborted);
            }
        });
        Assert.Equal(victimId, caughtId);
        Assert.Equal(TaskState.Aborted, state);
    });

    [Fact]
    public void AbortBeforeTheFirstPollNeverRunsTheBody() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        int bodies = 0;
        var (aborted, total) = s.BlockOn(async () =>
        {
            // Spawned from a worker, the children wait in this worker's queues until this task yields.
            var handles = new JoinHandle[1000];
            for (int i = 0; i < handles.Length; i++)
            {
                handles[i] = s.Spawn(async () =>
                {
                    Interlocked.Increment(ref bodies);
                    await Async.Yield();
                });
                handles[i].Abort();
            }
            int aborted = 0;
            foreach (var h in handles)
            {
                try
                {
                    await h;
                }
                catch (TaskAbortedException)
                {
                    aborted++;
                }
            }
            return (aborted, handles.Length);
        });
        Assert.Equal(total, aborted);
        Assert.Equal(0, bodies);
    });

    [Fact]
    public void AbortBeforeTheFirstPollFromOutsideNeverRunsTheBody() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        using var blocked = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        // Hold the only worker so that the next spawn stays queued.
        var blocker = s.Spawn(() =>
        {
            blocked.Set();
            release.Wait(TestUtil.Bound);
            return TandemTask.CompletedTask;
        });
        Assert.True(blocked.Wait(TestUtil.Bound));
        bool ran = false;
        var h = s.Spawn(async () =>
        {
            ran = true;
            await Async.Yield();
        });
        h.Abort();
        release.Set();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        s.BlockOn(blocker);
        Assert.False(ran);
    });

    [Fact]
    public void AbortOfAPollFunctionTaskStopsPollingIt() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var polled = new ManualResetEventSlim(false);
        int polls = 0;
        var h = s.Schedule<int>(Priority.Normal, cx =>
        {
            Interlocked.Increment(ref polls);
            polled.Set();
            return Poll<int>.Pending; // never wakes itself
        });
        Assert.True(polled.Wait(TestUtil.Bound));
        h.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        Assert.Equal(1, polls);
    });

    private sealed class PendingFuture : IFuture<int>, IDisposable
    {
        public readonly ManualResetEventSlim Polled = new(false);
        public int Polls;
        public int Disposed;

        public Poll<int> Poll(PollContext context)
        {
            Interlocked.Increment(ref Polls);
            Polled.Set();
            return Poll<int>.Pending;
        }

        public void Dispose() => Interlocked.Increment(ref Disposed);
    }

    [Fact]
    public void AbortOfAFutureTaskDisposesTheFuture() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var future = new PendingFuture();
        var h = s.Spawn(Priority.High, future);
        Assert.True(future.Polled.Wait(TestUtil.Bound));
        h.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
        Assert.Equal(1, future.Disposed);
        Assert.Equal(1, future.Polls);
    });

    [Fact]
    public void AbortOfAFutureBeforeItsFirstPollDisposesItWithoutPolling() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var future = new PendingFuture();
        var (polls, disposed) = s.BlockOn(async () =>
        {
            var h = s.Spawn(Priority.Normal, future);
            h.Abort();
            try
            {
                await h;
            }
            catch (TaskAbortedException)
            {
            }
            return (future.Polls, future.Disposed);
        });
        Assert.Equal(0, polls);
        Assert.Equal(1, disposed);
    });

    [Fact]
    public void AbortOfAFinishedTaskChangesNothing() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            return 5;
        });
        SpinWait.SpinUntil(() => h.IsFinished, TestUtil.Bound);
        h.Abort();
        Assert.Equal(TaskState.Completed, h.State);
        Assert.Equal(5, s.BlockOn(h));
    });

    [Fact]
    public void AnExceptionThrownWhileUnwindingAnAbortIsAFault() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var started = new ManualResetEventSlim(false);
        var h = s.Spawn(async () =>
        {
            started.Set();
            try
            {
                await Async.Delay(TimeSpan.FromMinutes(10));
            }
            finally
            {
                throw new InvalidTimeZoneException("from finally");
            }
        });
        Assert.True(started.Wait(TestUtil.Bound));
        h.Abort();
        Assert.Throws<InvalidTimeZoneException>(() => s.BlockOn(h));
    });

    [Fact]
    public void AbortingTenThousandRunningTasksUnderLoad() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(4);
        const int N = 10_000;
        var finallies = new int[N];
        var bodies = new int[N];
        int startedCount = 0;
        using var someStarted = new ManualResetEventSlim(false);
        var handles = new JoinHandle<int>[N];
        for (int i = 0; i < N; i++)
        {
            handles[i] = s.Spawn(Priorities.FromInt32(i % Priorities.Count), i, async i =>
            {
                Interlocked.Increment(ref bodies[i]);
                if (Interlocked.Increment(ref startedCount) == N / 4) someStarted.Set();
                try
                {
                    for (int step = 0; step < 50; step++)
                    {
                        if ((i + step) % 5 == 0) await Async.Delay(1 + (i + step) % 3);
                        else await Async.Yield();
                    }
                    return i;
                }
                finally
                {
                    Interlocked.Increment(ref finallies[i]);
                }
            });
        }
        Assert.True(someStarted.Wait(TestUtil.Bound));
        // Abort from two threads at once, in different orders, while the tasks run.
        var reverse = new Thread(() =>
        {
            for (int i = N - 1; i >= 0; i -= 2) handles[i].Abort();
        });
        reverse.Start();
        for (int i = 0; i < N; i += 2) handles[i].Abort();
        reverse.Join();

        int completed = 0, aborted = 0;
        for (int i = 0; i < N; i++)
        {
            try
            {
                Assert.Equal(i, s.BlockOn(handles[i]));
                completed++;
            }
            catch (TaskAbortedException)
            {
                aborted++;
            }
        }
        Assert.Equal(N, completed + aborted);
        Assert.True(aborted > 0);
        for (int i = 0; i < N; i++)
        {
            Assert.True(bodies[i] <= 1, $"task {i} ran its body {bodies[i]} times");
            Assert.True(finallies[i] == bodies[i], $"task {i}: body ran {bodies[i]} times, finally {finallies[i]} times");
        }
        Assert.True(SpinWait.SpinUntil(() => s.TaskCount == 0, TestUtil.Bound));
    }, TimeSpan.FromSeconds(60));
}
