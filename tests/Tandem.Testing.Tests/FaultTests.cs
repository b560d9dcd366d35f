namespace Tandem.Testing.Tests;

/// <summary>Injected faults: aborts at awaits and delays that throw, each recorded in the trace and replayed.</summary>
public class FaultTests
{
    /// <summary>With AbortProbability, some seeds abort a worker at one of its awaits (never the test body); the trace
    /// names it, and the same seed aborts it at the same place again.</summary>
    [Fact]
    public void AbortsAreInjectedRecordedAndReplayed()
    {
        var options = new SimulationOptions { AbortProbability = 0.1 };
        int aborted = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            int outcome = -1;
            var result = Simulation.Run(seed, async sim =>
            {
                var worker = sim.Runtime.Spawn(async () =>
                {
                    for (int i = 0; i < 5; i++) await Async.Yield();
                    return 5;
                });
                try { outcome = await worker; }
                catch (TaskAbortedException) { outcome = 0; }
            }, options);
            bool recorded = result.Trace.Lines.Any(l => l.StartsWith("fault: abort delivered to t2", StringComparison.Ordinal));
            Assert.Equal(recorded, outcome == 0);
            if (outcome == 0)
            {
                aborted++;
                Assert.Equal(result.Trace, Simulation.Replay(seed, async sim =>
                {
                    var worker = sim.Runtime.Spawn(async () => { for (int i = 0; i < 5; i++) await Async.Yield(); return 5; });
                    try { await worker; } catch (TaskAbortedException) { }
                }, options).Trace);
            }
        }
        Assert.InRange(aborted, 5, 39);
    }

    /// <summary>With DelayFaultProbability, some delays throw (their task is aborted as it starts waiting).</summary>
    [Fact]
    public void DelaysThrowWhenAsked()
    {
        var options = new SimulationOptions { DelayFaultProbability = 0.5 };
        int threw = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var result = Simulation.Run(seed, async sim =>
            {
                var worker = sim.Runtime.Spawn(async () => { await Async.Delay(TimeSpan.FromSeconds(1)); return 1; });
                try { await worker; }
                catch (TaskAbortedException) { threw++; }
            }, options);
            Assert.Equal(result.Trace.Lines.Any(l => l.Contains("delay throws", StringComparison.Ordinal)), threw > 0 && result.Trace.Lines.Any(l => l.StartsWith("fault", StringComparison.Ordinal)));
        }
        Assert.InRange(threw, 3, 17);
    }
}
