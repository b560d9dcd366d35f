using Tandem;
using Tandem.Host;

namespace Tandem.Tests.Regressions;

/// <summary>
/// Races a review of the host tier found (each failed within seconds on a 2-CPU machine before its fix),
/// kept so that they stay fixed.
/// </summary>
public class HostRegressionTests
{
    /// <summary>
    /// HostTask.RequestAbort checks the generation, then sets AbortRequested: not atomic. If the task finishes
    /// in between, and its pooled object starts another task (ResetCore clears AbortRequested), the late write
    /// lands on the new, unrelated task, which then ends Aborted although nobody aborted it.
    /// </summary>
    [Fact]
    public void AbortOfAFinishingTaskDoesNotAbortTheTaskThatReusesItsObject() => Bounded.Run(() =>
    {
        using var s = new HostScheduler(1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        JoinHandle<int> published = default;
        bool haveVictim = false;
        var stop = new ManualResetEventSlim(false);
        // Spinners oversubscribe the CPUs so that the aborter is pre-empted at random instructions.
        var spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            while (!stop.IsSet) { }
        }) { IsBackground = true }).ToList();
        spinners.ForEach(t => t.Start());
        var aborter = new Thread(() =>
        {
            while (!stop.IsSet)
            {
                if (Volatile.Read(ref haveVictim)) published.Abort();
            }
        }) { IsBackground = true };
        aborter.Start();
        long innocentAborted = 0, rounds = 0;
        try
        {
            innocentAborted = s.BlockOn(async () =>
            {
                long hits = 0;
                while (DateTime.UtcNow < deadline && hits == 0)
                {
                    for (int i = 0; i < 1000; i++)
                    {
                        rounds++;
                        var victim = s.Spawn(async () => { await Async.Yield(); return 1; });
                        published = victim;
                        Volatile.Write(ref haveVictim, true);
                        var innocent = s.Spawn(async () => { await Async.Yield(); return 2; });
                        try { await victim; } catch (TaskAbortedException) { }
                        try { await innocent; }
                        catch (TaskAbortedException) { hits++; }
                    }
                }
                return hits;
            });
        }
        finally
        {
            stop.Set();
            aborter.Join();
            spinners.ForEach(t => t.Join());
        }
        Assert.True(innocentAborted == 0, $"{innocentAborted} task(s) never aborted ended Aborted after {rounds} rounds");
    }, TimeSpan.FromSeconds(30));

    /// <summary>
    /// BlockingPool.Run counts a thread as idle until that thread re-acquires the lock after its Monitor.Wait;
    /// a second Run before that sees _idle > 0 again, pulses nobody, and starts no thread: the job waits behind
    /// the first although the pool is far below its bound.
    /// </summary>
    [Fact]
    public void TwoBlockingJobsSpawnedTogetherRunAtOnceWhenOneThreadIsIdle() => Bounded.Run(() =>
    {
        int failures = 0;
        for (int round = 0; round < 10; round++)
        {
            using var s = new HostScheduler(new HostOptions { WorkerCount = 1, MaxBlockingThreads = 8 });
            s.BlockOn(s.SpawnBlocking(() => 0)); // one pool thread now exists
            var pool = s.LiveThreads.Single(t => t.Name!.EndsWith("blocking"));
            TestUtil.WaitUntilBlocked(pool); // and waits, idle, for work
            using var both = new Barrier(2);
            var a = s.SpawnBlocking(() => both.SignalAndWait(TimeSpan.FromSeconds(2)));
            var b = s.SpawnBlocking(() => both.SignalAndWait(TimeSpan.FromSeconds(2)));
            if (!s.BlockOn(a) | !s.BlockOn(b)) failures++;
        }
        Assert.True(failures == 0, $"in {failures} of 10 rounds the second job did not start while the first ran (bound is 8 threads)");
    }, TimeSpan.FromSeconds(60));

    /// <summary>
    /// A spawn passes ThrowIfShutdown, then Shutdown sees no live task and sets _allFinished at once; the spawn
    /// then adds its task and queues it, but the workers are already stopping: Shutdown returns true while the
    /// task never runs (TaskCount stays 1, its handle never finishes, a joiner would wait forever).
    /// </summary>
    [Fact]
    public void ShutdownRacingASpawnFromAnotherThreadLeavesNoTaskBehind() => Bounded.Run(() =>
    {
        int stranded = 0, rounds = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && stranded == 0)
        {
            rounds++;
            var s = new HostScheduler(2);
            using var go = new ManualResetEventSlim(false);
            var spawned = new List<JoinHandle>();
            var spawner = new Thread(() =>
            {
                go.Wait();
                try
                {
                    while (true) spawned.Add(s.Spawn(async () => { await Async.Yield(); }));
                }
                catch (ObjectDisposedException) { }
            }) { IsBackground = true };
            spawner.Start();
            go.Set();
            Thread.Yield();
            bool ok = s.Shutdown(TimeSpan.FromSeconds(5));
            spawner.Join();
            if (ok && (s.TaskCount != 0 || spawned.Any(h => !h.IsFinished))) stranded++;
        }
        Assert.True(stranded == 0, $"Shutdown returned true with an unfinished task left in round {rounds}");
    }, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Shutdown's second call (Interlocked.Exchange(ref _shutdownStarted, 1) != 0) returns WaitThreads(deadline),
    /// which joins only the workers and the timer thread: it neither waits for the blocking pool nor checks that
    /// every task finished, so after a first call timed out, a second call returns true at once although a
    /// blocking job still runs and a task is unfinished. The doc says: "True when every task finished and every
    /// thread exited in time."
    /// </summary>
    [Fact]
    public void ASecondShutdownDoesNotReportSuccessWhileWorkIsStillRunning() => Bounded.Run(() =>
    {
        var s = new HostScheduler(2);
        using var started = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var job = s.SpawnBlocking(() =>
        {
            started.Set();
            return release.Wait(TestUtil.Bound);
        });
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var waiting = new ManualResetEventSlim(false);
        var task = s.Spawn(async () =>
        {
            waiting.Set();
            await never.Task; // a foreign wait: an abort cannot unwind it
        });
        Assert.True(started.Wait(TestUtil.Bound));
        Assert.True(waiting.Wait(TestUtil.Bound));
        try
        {
            Assert.False(s.Shutdown(TimeSpan.FromMilliseconds(100)));
            bool second = s.Shutdown(TimeSpan.FromMilliseconds(100));
            Assert.False(job.IsFinished);
            Assert.False(task.IsFinished);
            Assert.Equal(2, s.TaskCount); // the unfinished task and the running blocking job
            Assert.False(second, "the second Shutdown returned true while a blocking job ran and a task was unfinished");
        }
        finally
        {
            release.Set();
            never.SetResult();
        }
    });
}
