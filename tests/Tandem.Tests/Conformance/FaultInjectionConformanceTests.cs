using System.Collections.Concurrent;
using Tandem;

namespace Tandem.Tests.Conformance;

/// <summary>
/// Faults injected where the runtime meets user code: each surfaces to a joiner or an event, the runtime keeps serving,
/// and no task is lost or run twice. Every tier, bounded in time.
/// </summary>
public class FaultInjectionConformanceTests
{
    private sealed class InjectedFault(string where) : Exception($"injected: {where}");

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AFinallyBlockThatThrowsDuringAnAbortIsAFaultItsJoinerSees(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        int started = 0;
        var handle = rt.Spawn(Priority.Normal, async () =>
        {
            Interlocked.Increment(ref started);
            try { await Async.Delay(TimeSpan.FromHours(1)); }
            finally { throw new InjectedFault("finally during abort"); }
        });
        rt.BlockOn(async () => { while (Volatile.Read(ref started) == 0) await Async.Yield(); });
        handle.Abort();
        var e = Assert.Throws<InjectedFault>(() => rt.BlockOn(handle));
        Assert.Contains("finally during abort", e.Message);
        Assert.Equal(2, rt.BlockOn(static async () => { await Async.Yield(); return 2; })); // still serving
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AFutureThatWakesItselfAndThenThrowsIsPolledOnceMoreAtMost(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var future = new WakeThenThrow();
        Assert.Throws<InjectedFault>(() => rt.BlockOn(rt.Spawn(Priority.Normal, future)));
        Assert.Equal(1, future.Polls); // faulted at its first poll: its own wake polled nothing after the end
    });

    private sealed class WakeThenThrow : IFuture<int>
    {
        public int Polls;

        public Poll<int> Poll(PollContext cx)
        {
            Interlocked.Increment(ref Polls);
            cx.Waker.Wake();
            throw new InjectedFault("future after its wake");
        }
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AnUnobservedExceptionHandlerThatThrowsDoesNotStopTheRuntime(Tier mode) => Bounded.Run(() =>
    {
        // By default the handler's exception is re-thrown on the thread pool (and ends the process, as a throwing handler
        // of any .NET event on a background thread does); here it is collected instead, to show the runtime unharmed.
        var handlerErrors = new ConcurrentQueue<Exception>();
        var previous = Runtime.HandlerFailed;
        Runtime.HandlerFailed = handlerErrors.Enqueue;
        try
        {
            HandlerThrows(mode, handlerErrors);
        }
        finally
        {
            Runtime.HandlerFailed = previous;
        }
    });

    private static void HandlerThrows(Tier mode, ConcurrentQueue<Exception> handlerErrors)
    {
        var rt = Runtimes.Create(mode);
        var reported = new ConcurrentQueue<long>();
        rt.UnobservedTaskException += (_, e) =>
        {
            reported.Enqueue(e.TaskId);
            throw new InjectedFault("unobserved-exception handler");
        };
        var dropped = rt.Spawn(Priority.Normal, static async () =>
        {
            await Async.Yield();
            throw new InjectedFault("task nobody joins");
        });
        dropped.Detach(); // reported at once (or as the task ends)
        for (int i = 0; i < 50; i++)
            Assert.Equal(i, rt.BlockOn(rt.Spawn(Priority.Normal, i, static async i => { await Async.Yield(); return i; })));
        Assert.True(SpinWait.SpinUntil(() => !reported.IsEmpty, TestUtil.Bound));
        Assert.Equal(dropped.Id, Assert.Single(reported));
        Assert.True(SpinWait.SpinUntil(() => !handlerErrors.IsEmpty, TestUtil.Bound));
        Assert.Contains("unobserved-exception handler", Assert.IsType<InjectedFault>(Assert.Single(handlerErrors)).Message);
        Assert.Equal(7, rt.BlockOn(static async () => { await Async.Yield(); return 7; })); // still serving
        Assert.Equal(0, rt.TaskCount);
        rt.Dispose();
    }

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void RunningOutOfCapacityMidBurstRefusesTheRestAndLeavesTheRunningTasksAlone(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode, maxTasks: 8);
        var gate = new OneShot<int>();
        var accepted = new List<JoinHandle<int>>();
        int refused = 0;
        for (int i = 0; i < 100; i++)
        {
            if (rt.TrySpawn(Priority.Normal, (gate, i), static async st => { await Async.Yield(); return st.i; }, out var handle)) accepted.Add(handle);
            else refused++;
        }
        if (mode == RuntimeMode.Embedded)
        {
            Assert.Equal(8, accepted.Count);
            Assert.Equal(92, refused);
            var e = Assert.Throws<CapacityExceededException>(() => rt.Spawn(Priority.Normal, static async () => { await Async.Yield(); return 0; }));
            Assert.Equal(8, e.Capacity);
        }
        else
        {
            Assert.Equal(100, accepted.Count); // the host tier has no task limit
        }
        var results = accepted.Select(h => rt.BlockOn(h)).ToList();
        Assert.Equal(Enumerable.Range(0, accepted.Count), results); // every accepted task ran, once, to its end
        Assert.Equal(0, rt.TaskCount);
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void ACallbackPostedToATaskThatThrowsFaultsThatTaskOnly(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        var victim = rt.Spawn(Priority.Normal, static async () =>
        {
            var context = SynchronizationContext.Current!;
            context.Post(static _ => throw new InjectedFault("posted callback"), null);
            await Async.Delay(TimeSpan.FromHours(1));
            return 1;
        });
        var bystander = rt.Spawn(Priority.Normal, static async () => { await Async.Yield(); return 2; });
        Assert.Throws<InjectedFault>(() => rt.BlockOn(victim));
        Assert.Equal(2, rt.BlockOn(bystander));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void WorkQueuedThroughATaskSchedulerOnTheTaskThatThrowsReachesItsAwaiter(Tier mode) => Bounded.Run(() =>
    {
        using var rt = Runtimes.Create(mode);
        string outcome = rt.BlockOn(async () =>
        {
            var scheduler = TaskScheduler.FromCurrentSynchronizationContext(); // runs on this task
            var work = Task.Factory.StartNew(static () => throw new InjectedFault("TaskScheduler work"),
                CancellationToken.None, TaskCreationOptions.None, scheduler);
            try
            {
                await work;
                return "no fault";
            }
            catch (InjectedFault e)
            {
                return e.Message;
            }
        });
        Assert.Equal("injected: TaskScheduler work", outcome);
        Assert.Equal(3, rt.BlockOn(static async () => { await Async.Yield(); return 3; }));
    });

    [Theory]
    [MemberData(nameof(Runtimes.Modes), MemberType = typeof(Runtimes))]
    public void AContinuationThatThrowsWhileTheRuntimeShutsDownSurfacesAndTheShutdownEnds(Tier mode) => Bounded.Run(() =>
    {
        var rt = Runtimes.Create(mode);
        var reported = new ConcurrentQueue<Exception>();
        rt.UnobservedTaskException += (_, e) => reported.Enqueue(e.Exception);
        int started = 0;
        var handle = rt.Spawn(Priority.Normal, async () =>
        {
            Interlocked.Increment(ref started);
            try
            {
                await Async.Delay(TimeSpan.FromHours(1));
            }
            finally
            {
                // The unwinding goes on across a foreign await (a Tandem await would throw TaskAbortedException at once),
                // and its continuation throws while the runtime shuts down.
                await Task.Delay(1);
                throw new InjectedFault("continuation during shutdown");
            }
        });
        rt.BlockOn(async () => { while (Volatile.Read(ref started) == 0) await Async.Yield(); });
        rt.Shutdown(TimeSpan.FromSeconds(10));
        Assert.True(handle.IsFinished);
        var e = Assert.Throws<InjectedFault>(() => handle.GetResult()); // reaches the joiner, after the shutdown too
        Assert.Contains("continuation during shutdown", e.Message);
        // Not joined before the runtime shut down: reported there as unobserved, once, on both tiers (and still joinable).
        Assert.Contains("continuation during shutdown", Assert.Single(reported).Message);
    });
}
