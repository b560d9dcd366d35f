namespace Tandem.Embedded;

/// <summary>How an <see cref="EmbeddedScheduler"/> is built. Validated when the scheduler is constructed.</summary>
public sealed record EmbeddedOptions
{
    /// <summary>The largest task capacity an embedded scheduler accepts (262,144).</summary>
    public const int MaxCapacity = WakerRegistry.MaxCapacity;

    /// <summary>How many unfinished tasks the scheduler holds: 1 to <see cref="MaxCapacity"/>; default 16.</summary>
    public int MaxTasks { get; init; } = TandemDefaults.DefaultMaxTasks;

    /// <summary>How many timers may be pending at once before the scheduler's timer storage must grow (an allocation);
    /// 1 to <see cref="MaxCapacity"/>; default: <see cref="MaxTasks"/>. Each place costs 64 bytes at construction.</summary>
    public int? TimerCapacity { get; init; }

    /// <summary>The scheduler's clock: <see cref="TimeProvider.System"/> (the default), or a <see cref="VirtualClock"/> for tests.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

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

    internal void Validate()
    {
        if (MaxTasks is < 1 or > MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(MaxTasks), MaxTasks, $"An embedded scheduler holds 1 to {MaxCapacity} tasks.");
        if (TimerCapacity is < 1 or > MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(TimerCapacity), TimerCapacity, $"The timer capacity is 1 to {MaxCapacity}.");
        ArgumentNullException.ThrowIfNull(Clock, nameof(Clock));
        if (StallThreshold is { } stall && (stall < TimeSpan.FromMilliseconds(1) || stall > TimeSpan.FromHours(1)))
            throw new ArgumentOutOfRangeException(nameof(StallThreshold), stall, "The stall threshold is 1 ms to 1 hour.");
    }
}
