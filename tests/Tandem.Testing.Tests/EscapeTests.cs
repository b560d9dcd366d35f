namespace Tandem.Testing.Tests;

/// <summary>A body that leaves the simulation, deadlocks or runs away fails with a message that says so, every time.</summary>
public class EscapeTests
{
    /// <summary>Task.Delay without the simulation's clock is real time: the run fails naming the await, instead of
    /// depending on how fast the machine is.</summary>
    [Fact]
    public void RealTaskDelayIsAnEscape()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(seed, async sim =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }));
            var escape = Assert.IsType<SimulationEscapeException>(e.InnerException);
            Assert.Contains("outside the simulation", escape.Message);
            Assert.Contains("Task", escape.Message);
        }
    }

    /// <summary>ConfigureAwait(false) on a real delay escapes too, and is reported by what the task waits on.</summary>
    [Fact]
    public void ConfigureAwaitFalseOnARealDelayIsAnEscape()
    {
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20)).ConfigureAwait(false);
        }));
        Assert.IsType<SimulationEscapeException>(e.InnerException);
    }

    /// <summary>What stays on the simulation's thread is not an escape: Task.Yield, a TaskCompletionSource set by another
    /// simulated task, an async Task method awaiting Tandem's delays — and the runs are the same for the same seed.</summary>
    [Fact]
    public void TaskCodeOnTheSimulationThreadIsDeterministic()
    {
        static async Task<int> Helper(int n)
        {
            await Async.Delay(TimeSpan.FromMilliseconds(n));
            await Task.Yield();
            return n;
        }
        static async TandemTask Body(Simulation sim)
        {
            var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var setter = sim.Runtime.Spawn(async () => { await Task.Yield(); source.SetResult(await Helper(5)); });
            var reader = sim.Runtime.Spawn(async () => await source.Task + await Helper(3));
            Assert.Equal(8, await reader);
            await setter;
        }
        for (int seed = 0; seed < 20; seed++)
            Assert.Equal(Simulation.Run(seed, Body).Trace, Simulation.Replay(seed, Body).Trace);
    }

    /// <summary>Work on the thread pool is an escape: its completion wakes the task from another thread, which the
    /// simulation reports (naming the thread) — or, if the simulation goes idle first, the await it waits in.</summary>
    [Fact]
    public void ThreadPoolWorkIsAnEscape()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(seed, async sim =>
            {
                using var gate = new ManualResetEventSlim();
                var work = Task.Run(() => gate.Wait(TimeSpan.FromSeconds(10)));
                // Lets the pool work finish only once the body awaits it (it awaits in the poll that spawned this task).
                var other = sim.Runtime.Spawn(async () => { gate.Set(); for (int i = 0; i < 1000; i++) await Async.Yield(); });
                await work;
                await other;
            }));
            var escape = Assert.IsType<SimulationEscapeException>(e.InnerException);
            Assert.Contains("outside the simulation", escape.Message);
        }
    }

    /// <summary>A wake from another thread is named as such, with the task it woke and what it waited on.</summary>
    [Fact]
    public void AWakeFromAnotherThreadIsNamed()
    {
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            var started = new TaskCompletionSource();
            var other = sim.Runtime.Spawn(async () =>
            {
                new Thread(() => started.SetResult()).Start(); // the body is already waiting: it awaited in the poll that spawned this task
                // Keeps the simulation busy (never idle) until the foreign completion has woken the body (bounded).
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (sim.Chooser.Escapes.IsEmpty && waited.Elapsed < TimeSpan.FromSeconds(10)) await Async.Yield();
            });
            await started.Task;
            await other;
        }, new SimulationOptions { MaxSteps = long.MaxValue })); // the yields above are bounded in real time, not in polls
        var escape = Assert.IsType<SimulationEscapeException>(e.InnerException);
        Assert.True(escape.Message.Contains("came from thread", StringComparison.Ordinal), escape.Message);
        Assert.Contains("on Task", escape.Message);
    }

    /// <summary>Tasks waiting for each other with no timer pending are a deadlock, reported with what each waits on.</summary>
    [Fact]
    public void ADeadlockIsReported()
    {
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            var never = new OneShot<int>();
            var waiter = sim.Runtime.Spawn(async () => await never.ReceiveAsync());
            await waiter;
        }));
        var deadlock = Assert.IsType<SimulationDeadlockException>(e.InnerException);
        Assert.Contains("OneShot", deadlock.Message);
    }

    /// <summary>A body that never finishes fails at the step limit; one that waits forever on timers at the virtual-time limit.</summary>
    [Fact]
    public void LimitsStopRunawayBodies()
    {
        var steps = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            while (true) await Async.Yield();
        }, new SimulationOptions { MaxSteps = 10_000 }));
        Assert.IsType<SimulationLimitException>(steps.InnerException);

        var time = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            while (true) await Async.Delay(TimeSpan.FromHours(1));
        }, new SimulationOptions { MaxVirtualTime = TimeSpan.FromDays(2) }));
        Assert.IsType<SimulationLimitException>(time.InnerException);
        Assert.Contains("virtual time", time.InnerException!.Message);
    }

    /// <summary>A body that blocks its thread fails at the real-time limit, naming the seed.</summary>
    [Fact]
    public void ABlockedPollFailsAtTheRealTimeLimit()
    {
        var gate = new ManualResetEventSlim();
        try
        {
            var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(9, async sim =>
            {
                await Async.Yield();
                gate.Wait();
            }, new SimulationOptions { RealTimeLimit = TimeSpan.FromMilliseconds(300) }));
            Assert.IsType<SimulationLimitException>(e.InnerException);
            Assert.Equal(9, e.Seed);
        }
        finally
        {
            gate.Set(); // lets the abandoned thread finish
        }
    }

    /// <summary>A task that faulted and that nobody joined fails the run (its exception would otherwise be lost).</summary>
    [Fact]
    public void AnUnobservedFaultFailsTheRun()
    {
        var e = Assert.Throws<SimulationFailedException>(() => Simulation.Run(1, async sim =>
        {
            sim.Runtime.Spawn(async () => { await Async.Yield(); throw new InvalidOperationException("lost"); }).Detach();
            await Async.Delay(TimeSpan.FromSeconds(1));
        }));
        var fault = Assert.IsType<UnobservedTaskFaultException>(e.InnerException);
        Assert.Equal("lost", fault.InnerException!.Message);
    }
}
