using System.Diagnostics;

namespace Tandem.Testing.Tests;

/// <summary>Virtual time everywhere the body can reach: Tandem's timers and the <see cref="TimeProvider"/> the simulation supplies.</summary>
public class TimeTests
{
    /// <summary>Async.Delay, an interval and Runtime.Timeout run on virtual time: an hour of waiting takes no real time,
    /// and the clock reads exactly what was waited.</summary>
    [Fact]
    public void TandemTimersRunOnVirtualTime()
    {
        var real = Stopwatch.StartNew();
        var result = Simulation.Run(1, async sim =>
        {
            await Async.Delay(TimeSpan.FromMinutes(30));
            Assert.Equal(TimeSpan.FromMinutes(30), sim.Elapsed);
            var interval = Async.Interval(TimeSpan.FromMinutes(10));
            for (int i = 0; i < 3; i++) await interval.TickAsync();
            Assert.Equal(TimeSpan.FromMinutes(60), sim.Elapsed);
            await Assert.ThrowsAsync<TimeoutException>(async () =>
                await sim.Runtime.Timeout(TimeSpan.FromSeconds(5), async () => { await Async.Delay(TimeSpan.FromSeconds(10)); return 1; }));
            Assert.Equal(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(5), sim.Elapsed);
            Assert.Same(sim.Clock, sim.Runtime.Clock);
            Assert.Equal(sim.Options.Epoch + sim.Elapsed, sim.Clock.GetUtcNow());
        });
        Assert.Equal(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(5), result.VirtualTime);
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(10));
    }

    /// <summary>Code written against TimeProvider runs on virtual time when given sim.Clock: Task.Delay, PeriodicTimer,
    /// a CancellationTokenSource with a delay, and TimeProvider's own timers; a day of it takes no real time.</summary>
    [Fact]
    public void TimeProviderCodeRunsOnVirtualTime()
    {
        var real = Stopwatch.StartNew();
        Simulation.Run(2, async sim =>
        {
            await Task.Delay(TimeSpan.FromHours(1), sim.Clock);
            Assert.Equal(TimeSpan.FromHours(1), sim.Elapsed);

            using var periodic = new PeriodicTimer(TimeSpan.FromHours(2), sim.Clock);
            for (int i = 0; i < 3; i++) Assert.True(await periodic.WaitForNextTickAsync());
            Assert.Equal(TimeSpan.FromHours(7), sim.Elapsed);

            using var cts = new CancellationTokenSource(TimeSpan.FromHours(1), sim.Clock);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(TimeSpan.FromHours(5), sim.Clock).WaitAsync(cts.Token));
            Assert.Equal(TimeSpan.FromHours(8), sim.Elapsed);

            int fired = 0;
            using (var timer = sim.Clock.CreateTimer(_ => fired++, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)))
                await Async.Delay(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
            Assert.Equal(5, fired);
            await Async.Delay(TimeSpan.FromHours(16) - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
            Assert.Equal(5, fired); // disposed: fires no more
            Assert.Equal(TimeSpan.FromDays(1), sim.Elapsed);
            Assert.Equal(sim.Clock.GetTimestamp(), sim.Elapsed.Ticks);
            Assert.Same(sim, Simulation.Current);
        });
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Null(Simulation.Current);
    }

    /// <summary>Delay jitter stretches each runtime timer by up to the bound the options set, never shortens one, and is
    /// recorded in the trace.</summary>
    [Fact]
    public void DelayJitterStaysWithinItsBound()
    {
        var options = new SimulationOptions { DelayJitter = TimeSpan.FromMilliseconds(5) };
        var seen = new HashSet<TimeSpan>();
        for (int seed = 0; seed < 20; seed++)
        {
            var result = Simulation.Run(seed, async sim =>
            {
                await Async.Delay(TimeSpan.FromMilliseconds(100));
                var took = sim.Elapsed;
                Assert.InRange(took, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(105));
                seen.Add(took);
            }, options);
            Assert.Contains(result.Trace.Lines, l => l.Contains("stretched by", StringComparison.Ordinal));
        }
        Assert.True(seen.Count >= 10);
    }
}
