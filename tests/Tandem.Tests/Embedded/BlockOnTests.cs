using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class BlockOnTests
{
    private sealed class CountdownFuture(int pendingPolls, int value) : IFuture<int>
    {
        public int Polls;

        public Poll<int> Poll(PollContext context)
        {
            if (Polls++ < pendingPolls)
            {
                context.Waker.Wake(); // ready to go again at once
                return Poll<int>.Pending;
            }
            return value;
        }
    }

    [Fact]
    public void BlockOnFromInsideATaskThrows()
    {
        using var s = new EmbeddedScheduler();
        var other = s.Spawn(async () => { await Async.Yield(); return 1; });
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            try { s.BlockOn(other); return "no"; }
            catch (InvalidOperationException) { return "threw"; }
        });
        Assert.Equal("threw", s.BlockOn(h));
        Assert.Equal(1, s.BlockOn(other)); // unharmed
    }

    [Fact]
    public void PollNextAndRunUntilIdleFromInsideATaskThrow()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            var r = new List<string>();
            try { s.PollNext(); } catch (InvalidOperationException) { r.Add("PollNext"); }
            await Async.Yield();
            try { s.RunUntilIdle(); } catch (InvalidOperationException) { r.Add("RunUntilIdle"); }
            try { s.Dispose(); } catch (InvalidOperationException) { r.Add("Dispose"); }
            return r;
        });
        Assert.Equal(["PollNext", "RunUntilIdle", "Dispose"], s.BlockOn(h));
    }

    [Fact]
    public void PollFunctionCannotDriveItsScheduler()
    {
        using var s = new EmbeddedScheduler();
        Exception? seen = null;
        var h = s.Schedule(Priority.Normal, _ =>
        {
            try { s.RunUntilIdle(); } catch (Exception e) { seen = e; }
            return Poll.Ready;
        });
        s.BlockOn(h);
        Assert.IsType<InvalidOperationException>(seen);
    }

    [Fact]
    public void CallsAfterDisposeThrowObjectDisposed()
    {
        var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        s.Dispose();
        Assert.Throws<ObjectDisposedException>(() => s.BlockOn(h));
        Assert.Throws<ObjectDisposedException>(() => s.PollNext());
        Assert.Throws<ObjectDisposedException>(() => s.RunUntilIdle());
        Assert.Throws<ObjectDisposedException>(() => s.Spawn(async () => { await Async.Yield(); }));
        Assert.Throws<ObjectDisposedException>(() => s.TrySpawn(Priority.Normal, async () => 1, out _));
        Assert.Throws<ObjectDisposedException>(() => s.Schedule(Priority.Normal, _ => Poll.Ready));
        Assert.Throws<ObjectDisposedException>(() => s.BlockOn(async () => 1));
        Assert.Throws<ObjectDisposedException>(() => s.BlockOn(new CountdownFuture(0, 1)));
    }

    [Fact]
    public void BlockOnFuncOfTandemTask()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<int>();
        s.BlockOn(async () =>
        {
            log.Add(1);
            await Async.Yield();
            log.Add(2);
        });
        Assert.Equal([1, 2], log);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void BlockOnFuncOfTandemTaskOfT()
    {
        using var s = new EmbeddedScheduler();
        Assert.Equal("x", s.BlockOn(async () => { await Async.Yield(); return "x"; }));
    }

    [Fact]
    public void BlockOnRunsAtTheGivenPriority()
    {
        using var s = new EmbeddedScheduler();
        Assert.Equal(Priority.Idle, s.BlockOn(Priority.Idle, async () => { await Async.Yield(); return Async.CurrentPriority; }));
        Assert.Equal(Priority.Normal, s.BlockOn(async () => { await Async.Yield(); return Async.CurrentPriority; }));
    }

    [Fact]
    public void BlockOnFuture()
    {
        using var s = new EmbeddedScheduler();
        var f = new CountdownFuture(3, 99);
        Assert.Equal(99, s.BlockOn(f));
        Assert.Equal(4, f.Polls);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void BlockOnFutureAtPriority()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        _ = s.Spawn(Priority.Normal, async () => { log.Add("normal"); await Async.Yield(); });
        Assert.Equal(1, s.BlockOn(Priority.Critical, new LoggingFuture(log)));
        Assert.Equal("future", log[0]);
    }

    private sealed class LoggingFuture(List<string> log) : IFuture<int>
    {
        public Poll<int> Poll(PollContext context)
        {
            log.Add("future");
            Assert.Equal(Priority.Critical, context.Priority);
            return 1;
        }
    }

    [Fact]
    public void BlockOnNonGenericHandle()
    {
        using var s = new EmbeddedScheduler();
        bool ran = false;
        var h = s.Spawn(async () => { await Async.Yield(); ran = true; });
        s.BlockOn(h);
        Assert.True(ran);
    }

    [Fact]
    public void BlockOnRunsOtherTasksToo()
    {
        using var s = new EmbeddedScheduler();
        int other = 0;
        _ = s.Spawn(Priority.High, async () => { for (int i = 0; i < 5; i++) { other++; await Async.Yield(); } });
        var seen = s.BlockOn(Priority.Low, async () => { await Async.Yield(); return other; });
        Assert.Equal(5, seen);
    }

    [Fact]
    public void BlockOnReturnsAsSoonAsItsTaskFinishes()
    {
        using var s = new EmbeddedScheduler();
        int otherSteps = 0;
        var other = s.Spawn(async () => { for (int i = 0; i < 100; i++) { otherSteps++; await Async.Yield(); } });
        s.BlockOn(async () => { await Async.Yield(); });
        Assert.InRange(otherSteps, 1, 3);
        Assert.False(other.IsFinished);
        s.BlockOn(other);
        Assert.Equal(100, otherSteps);
    }

    [Fact]
    public void BlockOnAnAlreadyFinishedTask()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => 4);
        s.RunUntilIdle();
        Assert.Equal(4, s.BlockOn(h));
    }

    [Fact]
    public void BlockOnAnAbortedTaskThrowsTaskAborted()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => { await Async.Yield(); return 1; });
        h.Abort();
        Assert.Throws<TaskAbortedException>(() => s.BlockOn(h));
    }

    [Fact]
    public void BlockOnTwiceOnOneHandleThrows()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () => 1);
        Assert.Equal(1, s.BlockOn(h));
        Assert.Throws<InvalidOperationException>(() => s.BlockOn(h));
    }

    [Fact]
    public void SecondThreadCannotDriveWhileOneDrives()
    {
        using var s = new EmbeddedScheduler();
        Waker waker = default;
        var polled = new ManualResetEventSlim();
        bool release = false;
        var h = s.Schedule(Priority.Normal, cx =>
        {
            waker = cx.Waker;
            polled.Set();
            return Volatile.Read(ref release) ? Poll.Ready : Poll.Pending;
        });
        Exception? error = null;
        var driver = TestUtil.StartThread(() => s.BlockOn(h), e => error = e);
        Assert.True(polled.Wait(TestUtil.Bound));
        Assert.Throws<InvalidOperationException>(() => s.RunUntilIdle());
        Assert.Throws<InvalidOperationException>(() => s.PollNext());
        Assert.Throws<InvalidOperationException>(() => s.BlockOn(h));
        Assert.Throws<InvalidOperationException>(() => s.Spawn(async () => { await Async.Yield(); }));
        Volatile.Write(ref release, true);
        waker.Wake();
        TestUtil.JoinOrFail(driver);
        Assert.Null(error);
        // Once the driver left, another thread may drive.
        Assert.Equal(2, s.BlockOn(async () => { await Async.Yield(); return 2; }));
    }

    [Fact]
    public void PollNextPollsExactlyOneTask()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        _ = s.Spawn(async () => { log.Add("a"); await Async.Yield(); log.Add("a2"); });
        _ = s.Spawn(async () => { log.Add("b"); await Async.Yield(); });
        Assert.True(s.PollNext());
        Assert.Equal(["a"], log);
        Assert.True(s.PollNext());
        Assert.Equal(["a", "b"], log);
        Assert.True(s.PollNext());
        Assert.Equal(["a", "b", "a2"], log);
        Assert.True(s.PollNext());
        Assert.False(s.PollNext());
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void RunUntilIdleCountsPolls()
    {
        using var s = new EmbeddedScheduler();
        _ = s.Spawn(async () => { for (int i = 0; i < 4; i++) await Async.Yield(); });
        _ = s.Spawn(async () => { await Async.Yield(); });
        Assert.Equal(5 + 2, s.RunUntilIdle());
        Assert.Equal(0, s.RunUntilIdle());
    }

    [Fact]
    public void NullArgumentsAreRejected()
    {
        using var s = new EmbeddedScheduler();
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<TandemTask>)null!));
        Assert.Throws<ArgumentNullException>(() => s.Spawn((Func<TandemTask<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => s.Spawn(Priority.Normal, (IFuture<int>)null!));
        Assert.Throws<ArgumentNullException>(() => s.Schedule(Priority.Normal, (Func<PollContext, Poll>)null!));
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void SpawnWithStateOverloads()
    {
        using var s = new EmbeddedScheduler();
        var box = new List<int>();
        s.BlockOn(s.Spawn(Priority.Normal, box, static async b => { await Async.Yield(); b.Add(1); }));
        Assert.Equal(5, s.BlockOn(s.Spawn(Priority.Normal, 4, static async n => { await Async.Yield(); return n + 1; })));
        Assert.Equal(6, s.BlockOn(s.Schedule(Priority.Normal, 6, static (n, _) => Poll<int>.Ready(n))));
        Assert.True(s.TrySchedule(Priority.Normal, 7, static (n, _) => Poll<int>.Ready(n), out var h));
        Assert.Equal(7, s.BlockOn(h));
        Assert.Equal([1], box);
    }

    [Fact]
    public void DriveFromInsideAnotherSchedulersTask()
    {
        using var outer = new EmbeddedScheduler();
        using var inner = new EmbeddedScheduler();
        var r = outer.BlockOn(async () =>
        {
            await Async.Yield();
            // A different scheduler may be driven from here.
            return inner.BlockOn(async () => { await Async.Yield(); return Async.CurrentTaskId != 0; });
        });
        Assert.True(r);
    }
}
