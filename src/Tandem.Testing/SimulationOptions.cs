namespace Tandem.Testing;

/// <summary>How the seed drives the scheduler: which ready task of the highest non-empty priority runs next.</summary>
public enum ScheduleStrategy
{
    /// <summary>Each seed picks one of the others: half of the seeds a random walk, half a PCT schedule of a depth up
    /// to <see cref="SimulationOptions.PctDepth"/> (the default).</summary>
    Mixed,

    /// <summary>Every pick is uniform among the ready tasks of the highest priority.</summary>
    RandomWalk,

    /// <summary>Probabilistic concurrency testing: each task gets a random rank, the highest-ranked ready task runs,
    /// and at a few random steps the running task drops below all others — so that schedules needing a few
    /// preemptions at just the right places come up within few seeds.</summary>
    Pct,

    /// <summary>The embedded tier's own order (first ready, first run), whatever the seed: the baseline an ordinary
    /// test sees. Timer, wake, jitter and fault options still apply.</summary>
    Fifo,
}

/// <summary>Options of a simulation. Each decision they turn on is made by the seed and recorded in the trace.</summary>
public sealed record SimulationOptions
{
    /// <summary>How many unfinished tasks the simulated runtime holds (the embedded tier's capacity); default 256.</summary>
    public int MaxTasks { get; init; } = 256;

    /// <summary>How the seed orders ready tasks; default <see cref="ScheduleStrategy.Mixed"/>.</summary>
    public ScheduleStrategy Strategy { get; init; } = ScheduleStrategy.Mixed;

    /// <summary>The largest PCT depth: a PCT schedule makes up to this many minus one priority changes; 1 to 10, default 3.</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>Shuffle the timers due at the same instant (runtime timers and <see cref="Simulation.Clock"/> timers);
    /// default true. Off, they fire in the order they were set.</summary>
    public bool ShuffleTimers { get; init; } = true;

    /// <summary>Shuffle the wakes delivered together through the waker registry (signals from outside a task); default true.</summary>
    public bool ShuffleWakes { get; init; } = true;

    /// <summary>Adds up to this much (uniform, seeded) to every timer the runtime sets: <c>Async.Delay</c>, intervals'
    /// ticks, <c>Runtime.Timeout</c> deadlines. A delay never gets shorter. Default zero (off).</summary>
    public TimeSpan DelayJitter { get; init; }

    /// <summary>The chance, at each poll of a task other than the test body, that an abort is delivered to it there (its
    /// await throws <see cref="TaskAbortedException"/>); 0 to 1, default 0 (off).</summary>
    public double AbortProbability { get; init; }

    /// <summary>The chance that an <c>Async.Delay</c> (any runtime timer a task sets) throws instead of completing: its
    /// task is aborted as it starts waiting; 0 to 1, default 0 (off).</summary>
    public double DelayFaultProbability { get; init; }

    /// <summary>The most polls one run may make before it fails as a livelock; default 1,000,000.</summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>The most virtual time one run may take before it fails; default one day.</summary>
    public TimeSpan MaxVirtualTime { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The most real time one run may take (a poll that blocks its thread, an endless loop without an
    /// await); default 60 seconds. The run is abandoned, its thread left behind.</summary>
    public TimeSpan RealTimeLimit { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Fail the run when a task's exception was never observed (a faulted task nobody joined); default true.</summary>
    public bool FailOnUnobservedExceptions { get; init; } = true;

    /// <summary><see cref="Simulation.Explore(int, Func{Simulation, TandemTask}, SimulationOptions?)"/>: after the first
    /// failing seed, how many further seeds to try for a shorter failing trace; the shortest is reported. Default 0.</summary>
    public int ShrinkSeeds { get; init; }

    /// <summary><see cref="Simulation.Explore(int, Func{Simulation, TandemTask}, SimulationOptions?)"/>: after a failure,
    /// how many more runs may be spent simplifying its schedule — each of its ready picks that differs from first ready,
    /// first run is undone in turn, and kept undone when the run still fails the same way — so that the reported
    /// <see cref="SimulationFailedException.ShrunkSchedule"/> has as few deviations from the ordinary order as this
    /// finds. Default 200; 0 turns it off.</summary>
    public int ShrinkRuns { get; init; } = 200;

    /// <summary>The wall-clock time at virtual time zero; default 2000-01-01 UTC.</summary>
    public DateTimeOffset Epoch { get; init; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    internal void Validate()
    {
        if (MaxTasks is < 1 or > EmbeddedOptions.MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(MaxTasks), MaxTasks, $"MaxTasks is 1 to {EmbeddedOptions.MaxCapacity}.");
        if (!Enum.IsDefined(Strategy)) throw new ArgumentOutOfRangeException(nameof(Strategy), Strategy, "Not a strategy.");
        if (PctDepth is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(PctDepth), PctDepth, "PctDepth is 1 to 10.");
        if (DelayJitter < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DelayJitter), DelayJitter, "DelayJitter is zero or more.");
        if (AbortProbability is < 0 or > 1 || double.IsNaN(AbortProbability))
            throw new ArgumentOutOfRangeException(nameof(AbortProbability), AbortProbability, "A probability is 0 to 1.");
        if (DelayFaultProbability is < 0 or > 1 || double.IsNaN(DelayFaultProbability))
            throw new ArgumentOutOfRangeException(nameof(DelayFaultProbability), DelayFaultProbability, "A probability is 0 to 1.");
        if (MaxSteps < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "MaxSteps is 1 or more.");
        if (MaxVirtualTime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxVirtualTime), MaxVirtualTime, "MaxVirtualTime is positive.");
        if (RealTimeLimit <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RealTimeLimit), RealTimeLimit, "RealTimeLimit is positive.");
        if (ShrinkRuns < 0) throw new ArgumentOutOfRangeException(nameof(ShrinkRuns), ShrinkRuns, "ShrinkRuns is zero or more.");
        if (ShrinkSeeds < 0) throw new ArgumentOutOfRangeException(nameof(ShrinkSeeds), ShrinkSeeds, "ShrinkSeeds is zero or more.");
    }
}
