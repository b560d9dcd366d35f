namespace Tandem.Testing;

/// <summary>
/// A simulated run failed: the test body threw (the <see cref="Exception.InnerException"/>), or the run escaped the
/// simulation, deadlocked, or went past a limit. The message carries the seed, the schedule, the end of the trace and
/// how to replay the run: <see cref="Simulation.Replay(long, Func{Simulation, TandemTask}, SimulationOptions?)"/> with <see cref="Seed"/> and the same body and options runs the
/// same trace again.
/// </summary>
public sealed class SimulationFailedException : Exception
{
    internal SimulationFailedException(long seed, SimulationTrace trace, string schedule, int seedsRun, long? firstFailingSeed, int? firstFailingPolls, Exception inner)
        : base(Describe(seed, trace, schedule, seedsRun, firstFailingSeed, firstFailingPolls, inner), inner)
    {
        Seed = seed;
        Trace = trace;
        Schedule = schedule;
        SeedsRun = seedsRun;
        FirstFailingSeed = firstFailingSeed ?? seed;
    }

    /// <summary>The seed of the failing run.</summary>
    public long Seed { get; }

    /// <summary>The failing run's trace.</summary>
    public SimulationTrace Trace { get; }

    /// <summary>The schedule the seed chose (random walk, or PCT with its depth).</summary>
    public string Schedule { get; }

    /// <summary>How many seeds ran until the first failure (1 for <see cref="Simulation.Run"/> and <see cref="Simulation.Replay(long, Func{Simulation, TandemTask}, SimulationOptions?)"/>).</summary>
    public int SeedsRun { get; }

    /// <summary>The first failing seed <see cref="Simulation.Explore(int, Func{Simulation, TandemTask}, SimulationOptions?)"/>
    /// found; <see cref="Seed"/> may be a later one with a shorter trace (<see cref="SimulationOptions.ShrinkSeeds"/>).</summary>
    public long FirstFailingSeed { get; }

    /// <summary>The failing run's schedule made as close to first ready, first run as shrinking found, as text for
    /// <see cref="Simulation.Replay(string, Func{Simulation, TandemTask}, SimulationOptions?)"/> — <c>"seed:pick=position,…"</c>,
    /// the picks that take another than the first ready task; null when it was not shrunk
    /// (<see cref="SimulationOptions.ShrinkRuns"/>, or a failure that <see cref="Simulation.Run"/> reported).</summary>
    public string? ShrunkSchedule { get; internal init; }

    /// <summary>The trace of <see cref="ShrunkSchedule"/>'s run; null when there is none.</summary>
    public SimulationTrace? ShrunkTrace { get; internal init; }

    /// <inheritdoc />
    public override string Message => ShrunkSchedule is null || ShrunkTrace is null
        ? base.Message
        : base.Message + $"The simplest failing schedule found ({Deviations(ShrunkSchedule)} picks not first-ready-first-run, {ShrunkTrace.Polls} polls): "
            + $"Simulation.Replay(\"{ShrunkSchedule}\", <the same body>, <the same options>). Its trace:\n" + ShrunkTrace.Tail(40);

    private static int Deviations(string schedule) => schedule[(schedule.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Describe(long seed, SimulationTrace trace, string schedule, int seedsRun, long? first, int? firstPolls, Exception inner)
    {
        string found = seedsRun > 1 ? $" (found after {seedsRun} seeds)" : "";
        string shrunk = first is { } f && f != seed ? $"; the first failing seed was {f} ({firstPolls} polls), this one fails in fewer" : "";
        return $"Simulation failed with seed {seed}{found}{shrunk}: {inner.GetType().Name}: {inner.Message}\n"
            + $"Schedule: {schedule}; {trace.Polls} polls; trace hash {trace.Hash}.\n"
            + $"Replay it exactly with Simulation.Replay({seed}, <the same body>, <the same options>).\n"
            + "The end of the trace:\n" + trace.Tail(30);
    }
}

/// <summary>The test body awaited something the simulation does not control — a real socket, <c>Task.Delay</c> without
/// <see cref="Simulation.Clock"/>, work on the thread pool — which would make runs differ from one to the next.</summary>
public sealed class SimulationEscapeException : Exception
{
    internal SimulationEscapeException(string message) : base(message) { }
}

/// <summary>Nothing in the simulation could run, no timer was pending, and tasks still waited for one another.</summary>
public sealed class SimulationDeadlockException : Exception
{
    internal SimulationDeadlockException(string message) : base(message) { }
}

/// <summary>A run went past <see cref="SimulationOptions.MaxSteps"/>, <see cref="SimulationOptions.MaxVirtualTime"/>
/// or <see cref="SimulationOptions.RealTimeLimit"/>.</summary>
public sealed class SimulationLimitException : Exception
{
    internal SimulationLimitException(string message) : base(message) { }
}

/// <summary>A task's exception was never observed (a task that faulted and that nobody joined).</summary>
public sealed class UnobservedTaskFaultException : Exception
{
    internal UnobservedTaskFaultException(string message, Exception inner) : base(message, inner) { }
}
