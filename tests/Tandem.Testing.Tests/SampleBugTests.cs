using Tandem.Embedded;
using Tandem.Testing.Samples;

namespace Tandem.Testing.Tests;

/// <summary>The three sample programs (samples/Tandem.Testing.Samples) each hide a real concurrency bug: the embedded
/// tier's own order passes them, Explore finds each within a stated number of seeds, Replay reproduces the failure (and
/// its shrunk schedule), and
/// the fixed program passes every seed.</summary>
public class SampleBugTests
{
    public static TheoryData<string> Scenarios => ["cache", "account", "timeout"];

    private static (Func<Simulation, bool, TandemTask> Body, SimulationOptions Options, int Within, string Symptom) Scenario(string name) => name switch
    {
        "cache" => (CacheScenario.Run, new SimulationOptions(), 200, "loaded 2 times"),
        "account" => (AccountScenario.Run, new SimulationOptions(), 100, "an update was lost"),
        _ => (TimeoutScenario.Run, TimeoutScenario.Options, 20, "cancelled the store"),
    };

    /// <summary>Without the simulation's choices — the embedded tier's first-ready-first-run order, no jitter — each
    /// buggy program passes: an ordinary test would not see the bug.</summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void TheOrdinaryOrderMissesTheBug(string name)
    {
        var (body, _, _, _) = Scenario(name);
        Simulation.Explore(20, sim => body(sim, false), new SimulationOptions { Strategy = ScheduleStrategy.Fifo, ShuffleTimers = false });
    }

    /// <summary>Explore finds the bug within the stated number of seeds, the failure names the symptom, and replaying the
    /// seed fails the same way with the same trace.</summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ExploreFindsTheBugAndReplayReproducesIt(string name)
    {
        var (body, options, within, symptom) = Scenario(name);
        var failure = Assert.Throws<SimulationFailedException>(() => Simulation.Explore(within, sim => body(sim, false), options));
        Assert.Contains(symptom, failure.InnerException!.Message);
        var replay = Assert.Throws<SimulationFailedException>(() => Simulation.Replay(failure.Seed, sim => body(sim, false), options));
        Assert.Equal(failure.Trace, replay.Trace);
        Assert.Equal(failure.InnerException.Message, replay.InnerException!.Message);
        // The shrunk schedule fails the same way too.
        var shrunk = Assert.Throws<SimulationFailedException>(() => Simulation.Replay(failure.ShrunkSchedule!, sim => body(sim, false), options));
        Assert.Contains(symptom, shrunk.InnerException!.Message);
        Assert.Equal(failure.ShrunkTrace, shrunk.Trace);
    }

    /// <summary>The fixed program passes 1,000 seeds, including the one that failed.</summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void TheFixPassesEverySeed(string name)
    {
        var (body, options, _, _) = Scenario(name);
        var passed = Simulation.Explore(1000, sim => body(sim, true), options);
        Assert.Equal(1000, passed.SeedsRun);
    }
}
