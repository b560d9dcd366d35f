using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>Abort, finally blocks and cancellation interop: one contract on both tiers.</summary>
public class AbortConformanceTests
{
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AbortRunsFinallyAndTheJoinerSeesTaskAbortedException(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var result = rt.BlockOn(async () =>
        {
            var sleeper = rt.Spawn(async () =>
            {
                try
                {
                    log.Enqueue("sleeping");
                    await Async.Delay(TimeSpan.FromHours(1));
                    log.Enqueue("woke");
                }
                finally
                {
                    log.Enqueue("finally");
                }
            });
            while (!log.Contains("sleeping")) await Async.Yield();
            sleeper.Abort();
            try
            {
                await sleeper;
                return "joined";
            }
            catch (TaskAbortedException e) when (e.TaskId == sleeper.Id)
            {
                return "aborted";
            }
        });
        Assert.Equal("aborted", result);
        Assert.Equal(["sleeping", "finally"], log);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AbortBeforeTheFirstPollNeverRunsTheBody(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        bool ran = false;
        var started = rt.BlockOn(Priority.Critical, async () =>
        {
            var h = rt.Spawn(Priority.Idle, async () =>
            {
                ran = true;
                await Async.Yield();
            });
            h.Abort(); // before this task yields, so before the Idle task can be polled on the embedded tier
            try
            {
                await h;
            }
            catch (TaskAbortedException)
            {
            }
            return h.IsFinished;
        });
        Assert.True(started);
        if (mode == RuntimeMode.Embedded) Assert.False(ran); // on the host tier another worker may have started it
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ACancellationTokenAbortsATask(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var cts = new CancellationTokenSource();
        bool started = false, unwound = false;
        var h = rt.Spawn(async () =>
        {
            try
            {
                started = true;
                while (true) await Async.Delay(TimeSpan.FromMilliseconds(5));
            }
            finally
            {
                unwound = true;
            }
        });
        using var registration = h.AbortOn(cts.Token);
        string outcome = rt.BlockOn(async () =>
        {
            while (!Volatile.Read(ref started)) await Async.Yield();
            // Cancelled from another thread than the runtime's, as a user's token would be.
            await Task.Run(cts.Cancel);
            try
            {
                await h;
                return "completed";
            }
            catch (TaskAbortedException)
            {
                return "aborted";
            }
        });
        Assert.Equal("aborted", outcome);
        Assert.True(unwound);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ATaskObservesItsOwnAbortAsAToken(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        bool waiting = false;
        string outcome = rt.BlockOn(async () =>
        {
            var h = rt.Spawn(async () =>
            {
                var token = Async.AbortToken;
                Assert.False(token.IsCancellationRequested);
                Volatile.Write(ref waiting, true);
                // A foreign API that takes a token: it ends when the task is aborted.
                await Task.Delay(Timeout.Infinite, token);
            });
            while (!Volatile.Read(ref waiting)) await Async.Yield();
            h.Abort();
            try
            {
                await h;
                return "completed";
            }
            catch (TaskAbortedException)
            {
                return "aborted";
            }
        });
        Assert.Equal("aborted", outcome);
        Assert.Equal(CancellationToken.None, Async.AbortToken); // outside a task
    });

    /// <summary>An abort cancels the task's abort token however the task came by it: read twice (the same token), read
    /// before the task awaited a delay with a token of its own (that delay's cancellation keeps the task's extras), and
    /// read for the first time as another task unwinds from its abort (cancelled already).</summary>
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnAbortCancelsEveryAbortTokenTheTaskTookAndOneTakenAfterIt(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var delayCancellation = new CancellationTokenSource();
        var tokens = new CancellationToken[3];
        var waiting = new bool[2];
        string outcome = rt.BlockOn(async () =>
        {
            var tookEarly = rt.Spawn(async () =>
            {
                tokens[0] = Async.AbortToken;
                tokens[1] = Async.AbortToken;
                Volatile.Write(ref waiting[0], true);
                await Async.Delay(TimeSpan.FromHours(1), delayCancellation.Token);
            });
            var takesLate = rt.Spawn(async () =>
            {
                Volatile.Write(ref waiting[1], true);
                try
                {
                    await Async.Delay(TimeSpan.FromHours(1));
                }
                finally
                {
                    tokens[2] = Async.AbortToken;
                }
            });
            foreach (var (h, i) in new[] { (tookEarly, 0), (takesLate, 1) })
            {
                while (!Volatile.Read(ref waiting[i]) || h.State == TaskState.Running) await Async.Yield(); // suspended in its delay
                h.Abort();
            }
            int aborted = 0;
            foreach (var h in new[] { tookEarly, takesLate })
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
            return $"{aborted} aborted";
        });
        Assert.Equal("2 aborted", outcome);
        Assert.Equal(tokens[0], tokens[1]);
        Assert.All(tokens, token => Assert.True(token.IsCancellationRequested));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AbortOfAFinishedTaskChangesNothing(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var h = rt.Spawn(async () =>
        {
            await Async.Yield();
            return 3;
        });
        while (!h.IsFinished) rt.BlockOn(async () => { await Async.Yield(); });
        h.Abort();
        Assert.Equal(3, rt.BlockOn(h));
    });
    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnAbortFromAnotherThreadWhileTheTaskComputesIsSeenAtOnceByIsAbortRequestedAndByItsNextSuspension(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        using var computing = new ManualResetEventSlim();
        bool ranOn = false, sawIt = false;
        var h = rt.Spawn(async () =>
        {
            computing.Set();
            // Awaits see an abort from elsewhere from the task's next poll on; Async.IsAbortRequested sees it at once.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!Async.IsAbortRequested && waited.Elapsed < TimeSpan.FromSeconds(20)) Thread.SpinWait(50);
            sawIt = Async.IsAbortRequested;
            await Async.Yield(); // the poll ends here: the next one starts aborted and the yield throws
            ranOn = true;
        });
        var aborter = Task.Run(() =>
        {
            computing.Wait();
            h.Abort();
        });
        var e = Assert.Throws<TaskAbortedException>(() => rt.BlockOn(h));
        Assert.Equal(h.Id, e.TaskId);
        Assert.True(sawIt);
        Assert.False(ranOn);
        aborter.Wait();
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnAbortedTaskThrowsAtEveryAwaitWhileAnotherAbortedTaskRunsAndNoneOnceBothEnd(Tier mode) => Bounded.Run(() =>
    {
        // The awaits' check skips its thread-local read while no poll of an aborted task is in progress anywhere: an
        // aborted task's poll must count itself in and out, whatever other aborted polls are doing.
        using var rt = Runtimes.Create(mode);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var started = new System.Collections.Concurrent.ConcurrentQueue<string>();
        async TandemTask Swallower(string name)
        {
            started.Enqueue(name);
            try { await Async.Delay(TimeSpan.FromHours(1)); }
            catch (TaskAbortedException) { log.Enqueue(name + " aborted"); }
            for (int i = 0; i < 3; i++)
            {
                try { await Async.Yield(); log.Enqueue(name + " yielded"); }
                catch (TaskAbortedException) { log.Enqueue(name + " threw"); }
            }
        }
        var result = rt.BlockOn(async () =>
        {
            var a = rt.Spawn(() => Swallower("a"));
            var b = rt.Spawn(() => Swallower("b"));
            while (started.Count < 2) await Async.Yield(); // both suspended in their delay (or about to be): then abort
            a.Abort();
            b.Abort();
            try { await a; } catch (TaskAbortedException) { }
            try { await b; } catch (TaskAbortedException) { }
            // Neither aborted task's poll is in progress now: this task's awaits do not throw.
            await Async.Yield();
            await Async.Delay(TimeSpan.FromMilliseconds(1));
            return "not aborted";
        });
        Assert.Equal("not aborted", result);
        foreach (var name in new[] { "a", "b" })
            Assert.Equal([name + " aborted", name + " threw", name + " threw", name + " threw"], log.Where(l => l.StartsWith(name + " ")));
    });
}
