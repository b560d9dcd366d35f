using Tandem.Embedded;
using Tandem.Host;

namespace Tandem;

/// <summary>
/// Options for <see cref="Runtime.WithMode"/>, for either tier. Unset values take the tier's defaults;
/// values are validated when the runtime is created, with errors that name the option and its range.
/// </summary>
public sealed record RuntimeOptions
{
    /// <summary>Embedded tier: how many unfinished tasks it holds (1 to 262,144; default 16). Not used by the host tier.</summary>
    public int? MaxTasks { get; init; }

    /// <summary>Host tier: worker threads (1 to 1,024; default: the processor count). Not used by the embedded tier.</summary>
    public int? WorkerCount { get; init; }

    /// <summary>
    /// The clock of the runtime's timers. The embedded tier accepts any <see cref="TimeProvider"/>, including a
    /// <see cref="VirtualClock"/>; the host tier runs on the system clock only (another clock is an error).
    /// </summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Creates the runtime's meter ("Tandem"): pass the application's (from dependency injection) so that its
    /// metrics follow the host's; null (the default) makes a meter of the runtime's own.</summary>
    public System.Diagnostics.Metrics.IMeterFactory? MeterFactory { get; init; }

    /// <summary>Records when each task was spawned and when its last poll started, so that task snapshots
    /// (<see cref="Runtime.GetTaskSnapshot"/>) show <see cref="TaskInfo.Age"/> and <see cref="TaskInfo.SinceLastPoll"/>.
    /// Off by default: it reads the clock at every spawn and poll (about 20 to 40 ns each on the system clock).</summary>
    public bool RecordTaskTimes { get; init; }

    /// <summary>Turns on the stall detector: <see cref="Runtime.StallDetected"/> reports a poll that holds its worker
    /// longer than this, and a ready task that waits this long for a poll. 1 ms to 1 hour; null (the default) leaves it
    /// off. It records task times as <see cref="RecordTaskTimes"/> does.</summary>
    public TimeSpan? StallThreshold { get; init; }

    internal EmbeddedOptions ToEmbedded() => new()
    {
        MeterFactory = MeterFactory,
        RecordTaskTimes = RecordTaskTimes,
        StallThreshold = StallThreshold,
        MaxTasks = MaxTasks ?? TandemDefaults.DefaultMaxTasks,
        Clock = Clock ?? TimeProvider.System,
    };

    internal HostOptions ToHost()
    {
        if (Clock is not null && Clock != TimeProvider.System)
            throw new ArgumentException("The host tier runs on the system clock; a virtual clock needs the embedded tier.", nameof(Clock));
        return new HostOptions { WorkerCount = WorkerCount ?? Environment.ProcessorCount, MeterFactory = MeterFactory, RecordTaskTimes = RecordTaskTimes, StallThreshold = StallThreshold };
    }
}
