using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostBlockingTests
{
    [Fact]
    public void SpawnBlockingReturnsItsValueToAnAwaitingTask() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(new HostOptions { WorkerCount = 2, ThreadNamePrefix = "Blk" });
        var (value, jobThread, resumedOn) = s.BlockOn(async () =>
        {
            string? jobThread = null;
            int value = await s.SpawnBlocking(() =>
            {
                jobThread = Thread.CurrentThread.Name;
                return 21;
            });
            return (value * 2, jobThread, Thread.CurrentThread.Name);
        });
        Assert.Equal(42, value);
        Assert.Equal("Blk blocking", jobThread);
        Assert.StartsWith("Blk worker", resumedOn);
    });

    [Fact]
    public void SpawnBlockingReturnsItsValueToBlockOn() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        Assert.Equal("done", s.BlockOn(s.SpawnBlocking(() => "done")));
        int ran = 0;
        s.BlockOn(s.SpawnBlocking(() => { Interlocked.Increment(ref ran); }));
        Assert.Equal(1, ran);
    });

    [Fact]
    public void SpawnBlockingExceptionReachesTheJoiner() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var e = Assert.Throws<FormatException>(() => s.BlockOn(s.SpawnBlocking<int>(() => throw new FormatException("outside"))));
        Assert.Equal("outside", e.Message);

        string message = s.BlockOn(async () =>
        {
            try
            {
                await s.SpawnBlocking(() => throw new FormatException("inside"));
                return "no exception";
            }
            catch (FormatException ex)
            {
                return ex.Message;
            }
        });
        Assert.Equal("inside", message);
    });

    [Fact]
    public void WorkersStayFreeWhileBlockingJobsBlock() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var release = new ManualResetEventSlim(false);
        using var bothBlocking = new CountdownEvent(2);
        var jobs = Enumerable.Range(0, 2).Select(i => s.SpawnBlocking(() =>
        {
            bothBlocking.Signal();
            return release.Wait(TestUtil.Bound) ? i : -1;
        })).ToList();
        Assert.True(bothBlocking.Wait(TestUtil.Bound));

        // Both blocking jobs hold their threads; the two workers still run async work.
        int sum = s.BlockOn(async () =>
        {
            var handles = new JoinHandle<int>[200];
            for (int i = 0; i < handles.Length; i++)
                handles[i] = s.Spawn(Priority.Normal, i, static async i =>
                {
                    await Async.Yield();
                    if (i % 10 == 0) await Async.Delay(1);
                    return i;
                });
            int total = 0;
            foreach (var h in handles) total += await h;
            return total;
        });
        Assert.Equal(Enumerable.Range(0, 200).Sum(), sum);
        Assert.DoesNotContain(jobs, j => j.IsFinished);
        release.Set();
        Assert.Equal([0, 1], jobs.Select(j => s.BlockOn(j)));
    });

    [Fact]
    public void MaxBlockingThreadsIsRespected() => Bounded.Run(() =>
    {
        const int Max = 3, Jobs = 40;
        using var s = new HostScheduler(new HostOptions { WorkerCount = 2, MaxBlockingThreads = Max });
        int current = 0, max = 0, ran = 0;
        var threads = new HashSet<int>();
        var handles = Enumerable.Range(0, Jobs).Select(_ => s.SpawnBlocking(() =>
        {
            int now = Interlocked.Increment(ref current);
            int seen;
            while ((seen = Volatile.Read(ref max)) < now && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            Thread.Sleep(2); // the blocking work itself
            Interlocked.Increment(ref ran);
            Interlocked.Decrement(ref current);
        })).ToList();
        handles.ForEach(s.BlockOn);
        Assert.Equal(Jobs, ran);
        Assert.InRange(max, 1, Max);
        Assert.InRange(threads.Count, 1, Max);
        Assert.True(s.LiveThreads.Count(t => t.Name!.EndsWith("blocking")) <= Max);
    });

    [Fact]
    public void MaxBlockingThreadsIsReachedWhenJobsWaitForEachOther() => Bounded.Run(() =>
    {
        const int Max = 3;
        using var s = new HostScheduler(new HostOptions { WorkerCount = 1, MaxBlockingThreads = Max });
        // A fresh pool has no idle thread: each of the first Max jobs starts a thread of its own.
        using var all = new Barrier(Max);
        var handles = Enumerable.Range(0, Max).Select(_ => s.SpawnBlocking(() => all.SignalAndWait(TestUtil.Bound))).ToList();
        Assert.All(handles, h => Assert.True(s.BlockOn(h)));
    });

    [Fact]
    public void AbortOfAQueuedBlockingJobSkipsIt() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(new HostOptions { WorkerCount = 1, MaxBlockingThreads = 1 });
        using var started = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var first = s.SpawnBlocking(() =>
        {
            started.Set();
            return release.Wait(TestUtil.Bound);
        });
        Assert.True(started.Wait(TestUtil.Bound));
        bool secondRan = false;
        var second = s.SpawnBlocking(() =>
        {
            secondRan = true;
            return true;
        });
        second.Abort();
        release.Set();
        Assert.True(s.BlockOn(first));
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(second));
        Assert.False(secondRan);
    });

    [Fact]
    public void BlockOnFromAWorkerThrows() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var other = s.Spawn(async () =>
        {
            await Async.Yield();
            return 1;
        });
        var (blockOnHandle, blockOnMethod, blockOnFinished) = s.BlockOn(async () =>
        {
            await Async.Yield();
            bool a = false, b = false, c = false;
            try { s.BlockOn(other); }
            catch (InvalidOperationException) { a = true; }
            try { s.BlockOn(async () => { await Async.Yield(); }); }
            catch (InvalidOperationException) { b = true; }
            await other; // the refused BlockOn did not take the join
            var done = s.Spawn(() => new TandemTask<int>(2));
            while (!done.IsFinished) await Async.Yield();
            try { s.BlockOn(done); } // even on a finished task: the rule is about the thread
            catch (InvalidOperationException) { c = true; }
            await done;
            return (a, b, c);
        });
        Assert.True(blockOnHandle);
        Assert.True(blockOnMethod);
        Assert.True(blockOnFinished);
    });

    [Fact]
    public void ShutdownFromAWorkerThrows() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var (sync, async) = s.BlockOn(async () =>
        {
            bool sync = false, async = false;
            try { s.Shutdown(TimeSpan.FromSeconds(1)); }
            catch (InvalidOperationException) { sync = true; }
            try { _ = s.ShutdownAsync(TimeSpan.FromSeconds(1)); }
            catch (InvalidOperationException) { async = true; }
            try { s.Dispose(); }
            catch (InvalidOperationException) { }
            await Async.Yield();
            return (sync, async);
        });
        Assert.True(sync);
        Assert.True(async);
        Assert.False(s.IsShutdown);
        Assert.Equal(3, s.BlockOn(async () =>
        {
            await Async.Delay(1);
            return 3;
        }));
    });

    [Fact]
    public void BlockOnFromABlockingJobIsAllowed() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        var job = s.SpawnBlocking(() => s.BlockOn(async () =>
        {
            await Async.Delay(1);
            return 8;
        }));
        Assert.Equal(8, s.BlockOn(job));
    });

    [Fact]
    public void TaskCountCountsBlockingWorkUntilItsOutcomeIsThere() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(2);
        using var gate = new ManualResetEventSlim();
        var handle = s.SpawnBlocking(() =>
        {
            gate.Wait();
            return 7;
        });
        Assert.Equal(1, s.TaskCount);
        gate.Set();
        Assert.Equal(7, s.BlockOn(handle));
        Assert.Equal(0, s.TaskCount); // uncounted before the outcome was published
    });
}
