using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Host;

public class HostShutdownTests
{
    [Fact]
    public void ShutdownUnderLoadUnwindsEveryTaskAndJoinsEveryThread() => Bounded.Run(() =>
    {
        var s = new HostScheduler(4);
        const int N = 5000;
        var finallies = new int[N];
        int started = 0;
        using var allStarted = new ManualResetEventSlim(false);
        var handles = new JoinHandle[N];
        for (int i = 0; i < N; i++)
        {
            // Yield loops never sleep: at a high level they would starve the levels below (strict priority).
            var priority = i % 3 == 1 ? Priority.Idle : Priorities.FromInt32(i % Priorities.Count);
            handles[i] = s.Spawn(priority, i, async i =>
            {
                if (Interlocked.Increment(ref started) == N) allStarted.Set();
                try
                {
                    while (true)
                    {
                        switch (i % 3)
                        {
                            case 0: await Async.Delay(1 + i % 50); break;
                            case 1: await Async.Yield(); break;
                            default: await Async.Delay(TimeSpan.FromMinutes(10)); break;
                        }
                    }
                }
                finally
                {
                    Interlocked.Increment(ref finallies[i]);
                    await Async.Delay(10); // does not suspend: the task is being aborted
                }
            });
        }
        // Some blocking work that finishes, and one joiner blocked from outside.
        var blocking = s.SpawnBlocking(() => 1);
        Assert.True(allStarted.Wait(TestUtil.Bound));
        var threads = s.LiveThreads.ToList();
        Assert.True(threads.Count >= 5); // four workers and the timer

        Exception? joinerSaw = null;
        var joiner = new Thread(() =>
        {
            try { s.BlockOn(handles[2]); }
            catch (Exception e) { joinerSaw = e; }
        });
        joiner.Start();

        bool ok = s.Shutdown(TimeSpan.FromSeconds(20));
        Assert.True(ok);
        Assert.True(s.IsShutdown);
        Assert.Equal(0, s.TaskCount);
        Assert.All(finallies, f => Assert.Equal(1, f));
        Assert.All(threads, t => Assert.False(t.IsAlive, $"{t.Name} is still alive"));
        Assert.Empty(s.LiveThreads);
        // Every task ended aborted: joining each (one was joined already, by the thread above) says so.
        Assert.All(handles, h => Assert.True(h.IsFinished));
        Assert.All(handles.Where((_, i) => i != 2), h => Assert.Throws<TaskAbortedException>(() => h.GetResult()));
        Assert.Equal(1, blocking.GetResult());
        Assert.True(joiner.Join(TestUtil.Bound));
        Assert.IsType<TaskAbortedException>(joinerSaw);
    }, TimeSpan.FromSeconds(60));

    [Fact]
    public void SpawningAfterShutdownThrowsObjectDisposed() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        var set = s.CreateJoinSet<int>();
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(async () => { await Async.Yield(); }));
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(async () =>
        {
            await Async.Yield();
            return 1;
        }));
        Assert.Throws<ObjectDisposedException>(() => s.Schedule<int>(Priority.Normal, _ => 1));
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(Priority.Normal, new ReadyFuture()));
        Assert.Throws<ObjectDisposedException>(() => s.SpawnBlocking(() => 1));
        Assert.Throws<ObjectDisposedException>(() => s.BlockOn(async () =>
        {
            await Async.Yield();
            return 1;
        }));
        Assert.Throws<ObjectDisposedException>(() => set.Spawn(Priority.Normal, async () =>
        {
            await Async.Yield();
            return 1;
        }));
        Assert.Equal(0, set.Count); // the refused spawn left no member behind
        Assert.Throws<ObjectDisposedException>(() => s.TrySpawn(Priority.Normal, async () => { await Async.Yield(); }, out _));
    });

    private sealed class ReadyFuture : IFuture<int>
    {
        public Poll<int> Poll(PollContext context) => 1;
    }

    [Fact]
    public void DisposeTwiceIsFine() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        Assert.Equal(1, s.BlockOn(async () =>
        {
            await Async.Delay(1);
            return 1;
        }));
        s.Dispose();
        s.Dispose();
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(5))); // and a shutdown after both
        Assert.Empty(s.LiveThreads);
    });

    [Fact]
    public void ShutdownAsyncWorks() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        int finallies = 0;
        using var started = new CountdownEvent(100);
        for (int i = 0; i < 100; i++)
        {
            _ = s.Spawn(async () =>
            {
                started.Signal();
                try
                {
                    await Async.Delay(TimeSpan.FromMinutes(10));
                }
                finally
                {
                    Interlocked.Increment(ref finallies);
                }
            });
        }
        Assert.True(started.Wait(TestUtil.Bound));
        var threads = s.LiveThreads.ToList();
        var shutdown = s.ShutdownAsync(TimeSpan.FromSeconds(10));
#pragma warning disable xUnit1031 // the test body runs on its own bounded thread
        Assert.True(shutdown.GetAwaiter().GetResult());
#pragma warning restore xUnit1031
        Assert.Equal(100, finallies);
        Assert.Equal(0, s.TaskCount);
        Assert.All(threads, t => Assert.False(t.IsAlive));
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(async () => { await Async.Yield(); }));
    });

    [Fact]
    public void BlockOnAfterShutdownOfAnUnfinishedHandleThrowsObjectDisposed() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        // A task waiting on a foreign task cannot unwind until that task completes: shutdown leaves it unfinished.
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var waiting = new ManualResetEventSlim(false);
        var h = s.Spawn(async () =>
        {
            waiting.Set();
            await never.Task;
        });
        Assert.True(waiting.Wait(TestUtil.Bound));
        Assert.False(s.Shutdown(TimeSpan.FromMilliseconds(200)));
        Assert.False(h.IsFinished);
        Assert.Throws<ObjectDisposedException>(() => s.BlockOn(h));
        never.SetResult();
    });

    [Fact]
    public void BlockOnAfterShutdownOfAFinishedHandleJoinsIt() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            return 6;
        });
        Assert.True(SpinWait.SpinUntil(() => h.IsFinished, TestUtil.Bound));
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(5)));
        Assert.Equal(6, s.BlockOn(h));
    });

    [Fact]
    public void ShutdownOfAnIdleSchedulerIsQuickAndRepeatable() => Bounded.Run(() =>
    {
        for (int i = 0; i < 20; i++)
        {
            var s = new HostScheduler(new HostOptions { WorkerCount = 1 + i % 4, ThreadNamePrefix = $"Idle{i}" });
            var threads = s.LiveThreads.ToList();
            Assert.True(s.Shutdown(TimeSpan.FromSeconds(5)));
            Assert.All(threads, t => Assert.False(t.IsAlive));
        }
    });

    [Fact]
    public void ShutdownWaitsForRunningBlockingWork() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        using var started = new ManualResetEventSlim(false);
        var job = s.SpawnBlocking(() =>
        {
            started.Set();
            Assert.True(SpinWait.SpinUntil(() => s.IsShutdown, TestUtil.Bound)); // still running when shutdown begins
            return 5;
        });
        Assert.True(started.Wait(TestUtil.Bound));
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.True(job.IsFinished);
        Assert.Equal(5, job.GetResult());
        Assert.Empty(s.LiveThreads);
    });

    [Fact]
    public void ShutdownReturnsFalseWhileBlockingWorkOutlivesTheTimeout() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        using var started = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var job = s.SpawnBlocking(() =>
        {
            started.Set();
            return release.Wait(TestUtil.Bound);
        });
        Assert.True(started.Wait(TestUtil.Bound));
        Assert.False(s.Shutdown(TimeSpan.FromMilliseconds(100)));
        Assert.False(job.IsFinished);
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => job.IsFinished, TestUtil.Bound));
        Assert.True(job.GetResult());
    });

    [Fact]
    public void ShutdownAsyncsTokenStopsTheWaitingNotTheShutdown() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        var started = new ManualResetEventSlim(false);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = s.Spawn(Priority.Normal, gate, static async gate =>
        {
            await gate.Task; // a foreign wait that ignores the abort: the shutdown waits for it
        });
        s.Spawn(Priority.Low, started, static async started => { await Async.Yield(); started.Set(); }).Detach();
        Assert.True(started.Wait(TestUtil.Bound), "started");
        using var cts = new CancellationTokenSource();
        var waiting = s.ShutdownAsync(TimeSpan.FromSeconds(20), cts.Token);
        cts.Cancel();
        Assert.True(((Task)waiting).ContinueWith(_ => { }).Wait(TestUtil.Bound), "the wait ended");
        Assert.True(waiting.IsCanceled, $"cancelled: {waiting.Status}");
        Assert.False(stubborn.IsFinished, "the stubborn task still runs: the wait ended before the shutdown did");
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(static async () => { await Async.Yield(); })); // the shutdown goes on
        gate.SetResult();
        Assert.True(s.Shutdown(TimeSpan.FromSeconds(20)), "shutdown outcome");
        Assert.True(stubborn.IsFinished, "finished");
    });
}
