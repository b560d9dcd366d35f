namespace Tandem.Testing;

/// <summary>A run that passed: its seed, its trace, how many polls and how much virtual time it took.</summary>
public sealed class SimulationResult
{
    internal SimulationResult(long seed, SimulationTrace trace, string schedule, TimeSpan virtualTime)
    {
        Seed = seed;
        Trace = trace;
        Schedule = schedule;
        VirtualTime = virtualTime;
    }

    /// <summary>The run's seed.</summary>
    public long Seed { get; }

    /// <summary>What the run decided, in order.</summary>
    public SimulationTrace Trace { get; }

    /// <summary>The schedule the seed chose.</summary>
    public string Schedule { get; }

    /// <summary>How much virtual time the run took.</summary>
    public TimeSpan VirtualTime { get; }
}

/// <summary>What <see cref="Simulation.Explore(int, Func{Simulation, TandemTask}, SimulationOptions?)"/> ran when every seed passed.</summary>
public sealed class ExploreResult
{
    internal ExploreResult(int seedsRun, TimeSpan elapsed, long polls)
    {
        SeedsRun = seedsRun;
        Elapsed = elapsed;
        Polls = polls;
    }

    /// <summary>How many seeds ran (all passed).</summary>
    public int SeedsRun { get; }

    /// <summary>The real time they took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>How many polls they made in all.</summary>
    public long Polls { get; }

    /// <summary>Seeds per second of real time.</summary>
    public double SeedsPerSecond => Elapsed > TimeSpan.Zero ? SeedsRun / Elapsed.TotalSeconds : double.PositiveInfinity;
}
