using Tandem;
using Tandem.Embedded;

namespace Tandem.Tests.Embedded;

public class ExceptionTests
{
    private sealed class Boom(string m) : Exception(m);

    private static Func<TandemTask<int>> Faulting(Exception e) => async () =>
    {
        await Async.Yield();
        throw e;
    };

    [Fact]
    public void ExceptionReachesJoinerThroughAwait()
    {
        using var s = new EmbeddedScheduler();
        var e = new Boom("x");
        var bad = s.Spawn(Faulting(e));
        var result = s.BlockOn(async () =>
        {
            try { await bad; return null; }
            catch (Boom caught) { return caught; }
        });
        Assert.Same(e, result);
    }

    [Fact]
    public void ExceptionReachesJoinerThroughAwaitOfNonGenericHandle()
    {
        using var s = new EmbeddedScheduler();
        var bad = s.Spawn(async () => { await Async.Yield(); throw new Boom("void"); });
        var msg = s.BlockOn(async () =>
        {
            try { await bad; return "none"; }
            catch (Boom caught) { return caught.Message; }
        });
        Assert.Equal("void", msg);
    }

    [Fact]
    public void ExceptionReachesBlockOn()
    {
        using var s = new EmbeddedScheduler();
        var e = new Boom("b");
        Assert.Same(e, Assert.Throws<Boom>(() => s.BlockOn(s.Spawn(Faulting(e)))));
        Assert.Same(e, Assert.Throws<Boom>(() => s.BlockOn(Faulting(e))));
        Assert.Equal("v", Assert.Throws<Boom>(() => s.BlockOn(async () => { await Async.Yield(); throw new Boom("v"); })).Message);
    }

    [Fact]
    public void ExceptionReachesGetResult()
    {
        using var s = new EmbeddedScheduler();
        var e = new Boom("g");
        var h = s.Spawn(Faulting(e));
        s.RunUntilIdle();
        Assert.Equal(TaskState.Faulted, h.State);
        Assert.Same(e, Assert.Throws<Boom>(() => h.GetResult()));
        Assert.Throws<InvalidOperationException>(() => h.GetResult()); // joined once
    }

    [Fact]
    public void StackTraceOfTheThrowSiteIsPreserved()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn(async () =>
        {
            await Async.Yield();
            return ThrowingHelper();
        });
        var e = Assert.Throws<Boom>(() => s.BlockOn(h));
        Assert.Contains(nameof(ThrowingHelper), e.StackTrace);
    }

    private static int ThrowingHelper() => throw new Boom("deep");

    [Fact]
    public void SynchronousThrowInANonAsyncLambda()
    {
        using var s = new EmbeddedScheduler();
        var e = new Boom("sync");
        var h = s.Spawn<int>(() => throw e);
        Assert.Same(e, Assert.Throws<Boom>(() => s.BlockOn(h)));
        var v = s.Spawn(Priority.Normal, (Func<TandemTask>)(() => throw new Boom("void sync")));
        Assert.Equal("void sync", Assert.Throws<Boom>(() => s.BlockOn(v)).Message);
    }

    [Fact]
    public void SynchronousThrowBeforeTheFirstAwait()
    {
        using var s = new EmbeddedScheduler();
        bool throwNow = true;
        var h = s.Spawn(async () =>
        {
            if (throwNow) throw new Boom("early");
            await Async.Yield();
            return 1;
        });
        s.RunUntilIdle();
        Assert.Equal(TaskState.Faulted, h.State);
        Assert.Equal("early", Assert.Throws<Boom>(() => h.GetResult()).Message);
    }

    [Fact]
    public void SpawnDoesNotRunTheLambda()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Spawn<int>(() => throw new Boom("lazy")); // must not throw here
        Assert.Equal(TaskState.Pending, h.State);
        s.RunUntilIdle();
        Assert.Equal(TaskState.Faulted, h.State);
        Assert.Throws<Boom>(() => h.GetResult());
    }

    [Fact]
    public void PollFunctionThatThrowsFaultsItsTask()
    {
        using var s = new EmbeddedScheduler();
        var h = s.Schedule<int>(Priority.Normal, _ => throw new Boom("poll"));
        Assert.Equal("poll", Assert.Throws<Boom>(() => s.BlockOn(h)).Message);
    }

    [Fact]
    public void FutureThatThrowsFaultsItsTask()
    {
        using var s = new EmbeddedScheduler();
        Assert.Equal("future", Assert.Throws<Boom>(() => s.BlockOn(new ThrowingFuture())).Message);
    }

    private sealed class ThrowingFuture : IFuture<int>
    {
        public Poll<int> Poll(PollContext context) => throw new Boom("future");
    }

    [Fact]
    public void SchedulerKeepsRunningOtherTasksAfterAFault()
    {
        using var s = new EmbeddedScheduler();
        var log = new List<string>();
        var good1 = s.Spawn(async () => { for (int i = 0; i < 3; i++) { log.Add($"g1.{i}"); await Async.Yield(); } return 1; });
        var bad = s.Spawn<int>(async () => { log.Add("bad"); await Async.Yield(); throw new Boom("mid"); });
        var good2 = s.Spawn(async () => { for (int i = 0; i < 3; i++) { log.Add($"g2.{i}"); await Async.Yield(); } return 2; });
        s.RunUntilIdle();
        Assert.Equal(["g1.0", "bad", "g2.0", "g1.1", "g2.1", "g1.2", "g2.2"], log);
        Assert.Equal(1, good1.GetResult());
        Assert.Equal(2, good2.GetResult());
        Assert.Throws<Boom>(() => bad.GetResult());
        Assert.Equal(7, s.BlockOn(async () => { await Async.Yield(); return 7; }));
    }

    [Fact]
    public void TaskRethrowingAnotherTasksAbortIsFaultedNotAborted()
    {
        using var s = new EmbeddedScheduler(new EmbeddedOptions { Clock = new VirtualClock() });
        var victim = s.Spawn(async () => { await Async.Delay(TimeSpan.FromDays(1)); return 0; });
        s.RunUntilIdle();
        victim.Abort();
        var joiner = s.Spawn(async () => await victim);
        s.RunUntilIdle();
        Assert.Equal(TaskState.Faulted, joiner.State);
        var e = Assert.Throws<TaskAbortedException>(() => joiner.GetResult());
        Assert.Equal(victim.Id, e.TaskId);
    }

    [Fact]
    public void UnobservedEventWhenAnUnjoinedFaultedSlotIsReclaimed()
    {
        using var s = new EmbeddedScheduler(1);
        var events = new List<UnobservedExceptionEventArgs>();
        object? sender = null;
        s.UnobservedTaskException += (o, a) => { sender = o; events.Add(a); };
        var e = new Boom("lost");
        var h = s.Spawn(Faulting(e));
        s.RunUntilIdle();
        Assert.Empty(events); // not yet: it may still be joined
        var next = s.Spawn(async () => { await Async.Yield(); return 1; }); // reclaims the slot
        Assert.Single(events);
        Assert.Same(s, sender);
        Assert.Equal(h.Id, events[0].TaskId);
        Assert.Same(e, events[0].Exception);
        Assert.Equal(1, s.BlockOn(next));
        Assert.Single(events);
    }

    [Fact]
    public void UnobservedEventWhenDetachedAfterTheFault()
    {
        using var s = new EmbeddedScheduler();
        var events = new List<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, a) => events.Add(a);
        var e = new Boom("detached late");
        var h = s.Spawn(Faulting(e));
        s.RunUntilIdle();
        Assert.Empty(events);
        h.Detach();
        Assert.Single(events);
        Assert.Same(e, events[0].Exception);
        Assert.Equal(h.Id, events[0].TaskId);
    }

    [Fact]
    public void UnobservedEventWhenDetachedBeforeTheFault()
    {
        using var s = new EmbeddedScheduler();
        var events = new List<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, a) => events.Add(a);
        var e = new Boom("detached early");
        var h = s.Spawn(Faulting(e));
        h.Detach();
        Assert.Empty(events);
        s.RunUntilIdle();
        Assert.Single(events);
        Assert.Same(e, events[0].Exception);
        Assert.Equal(0, s.TaskCount);
    }

    [Fact]
    public void UnobservedEventWhenTheSchedulerIsDisposed()
    {
        var s = new EmbeddedScheduler();
        var events = new List<UnobservedExceptionEventArgs>();
        s.UnobservedTaskException += (_, a) => events.Add(a);
        var e1 = new Boom("one");
        var e2 = new Boom("two");
        var h1 = s.Spawn(Faulting(e1));
        var ok = s.Spawn(async () => { await Async.Yield(); return 0; });
        var h2 = s.Spawn(Faulting(e2));
        s.RunUntilIdle();
        Assert.Empty(events);
        s.Dispose();
        Assert.Equal(2, events.Count);
        Assert.Equal([h1.Id, h2.Id], events.Select(a => a.TaskId).Order());
        Assert.Contains(events, a => ReferenceEquals(a.Exception, e1));
        Assert.Contains(events, a => ReferenceEquals(a.Exception, e2));
        s.Dispose();
        Assert.Equal(2, events.Count); // reported once
    }

    [Fact]
    public void NoUnobservedEventWhenJoined()
    {
        var s = new EmbeddedScheduler(1);
        int raised = 0;
        s.UnobservedTaskException += (_, _) => raised++;
        var h = s.Spawn(Faulting(new Boom("seen")));
        Assert.Throws<Boom>(() => s.BlockOn(h));
        var awaited = s.Spawn(Faulting(new Boom("awaited")));
        // The joiner is a second task: capacity 1 means the first must be joined first.
        s.RunUntilIdle();
        Assert.Throws<Boom>(() => awaited.GetResult());
        _ = s.Spawn(async () => { await Async.Yield(); });
        s.RunUntilIdle();
        s.Dispose();
        Assert.Equal(0, raised);
    }

    [Fact]
    public void NoUnobservedEventWhenJoinedByAwait()
    {
        var s = new EmbeddedScheduler(4);
        int raised = 0;
        s.UnobservedTaskException += (_, _) => raised++;
        var bad = s.Spawn(Faulting(new Boom("awaited")));
        s.BlockOn(async () =>
        {
            try { await bad; } catch (Boom) { }
        });
        s.Dispose();
        Assert.Equal(0, raised);
    }

    [Fact]
    public void NoUnobservedEventForUnjoinedSuccesses()
    {
        var s = new EmbeddedScheduler(1);
        int raised = 0;
        s.UnobservedTaskException += (_, _) => raised++;
        _ = s.Spawn(async () => { await Async.Yield(); return 1; });
        s.RunUntilIdle();
        _ = s.Spawn(async () => { await Async.Yield(); return 2; }); // reclaims
        s.RunUntilIdle();
        s.Dispose();
        Assert.Equal(0, raised);
    }

    [Fact]
    public void UnobservedEventArgsCarryWhatTheyWereGiven()
    {
        var e = new Boom("a");
        var args = new UnobservedExceptionEventArgs(12, e);
        Assert.Equal(12, args.TaskId);
        Assert.Same(e, args.Exception);
    }
}
