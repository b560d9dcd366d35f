namespace Tandem.Host;

/// <summary>How a <see cref="HostScheduler"/> is built. Validated when the scheduler is constructed.</summary>
public sealed record HostOptions
{
    /// <summary>The most worker threads a scheduler accepts.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>Worker threads: 1 to <see cref="MaxWorkers"/>; default: the processor count.</summary>
    public int WorkerCount { get; init; } = Environment.ProcessorCount;

    /// <summary>Threads the blocking pool may run at once (<see cref="HostScheduler.SpawnBlocking{T}(Func{T})"/>): 1 to 10,000; default 64.</summary>
    public int MaxBlockingThreads { get; init; } = 64;

    /// <summary>How long an idle blocking thread waits for more work before it exits; default 10 s.</summary>
    public TimeSpan BlockingThreadKeepAlive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Every this many ticks a worker takes from the global queue first (fairness for remote spawns): 1 to 1,000; default 61.</summary>
    public int GlobalQueueInterval { get; init; } = 61;

    /// <summary>The names of the scheduler's threads start with this; default "Tandem".</summary>
    public string ThreadNamePrefix { get; init; } = "Tandem";

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
        if (WorkerCount is < 1 or > MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(WorkerCount), WorkerCount, $"A host scheduler has 1 to {MaxWorkers} workers.");
        if (MaxBlockingThreads is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(MaxBlockingThreads), MaxBlockingThreads, "The blocking pool has 1 to 10,000 threads.");
        if (BlockingThreadKeepAlive < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(BlockingThreadKeepAlive), BlockingThreadKeepAlive, "The keep-alive is zero or more.");
        if (GlobalQueueInterval is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(GlobalQueueInterval), GlobalQueueInterval, "The global queue interval is 1 to 1,000 ticks.");
        ArgumentNullException.ThrowIfNull(ThreadNamePrefix, nameof(ThreadNamePrefix));
        if (StallThreshold is { } stall && (stall < TimeSpan.FromMilliseconds(1) || stall > TimeSpan.FromHours(1)))
            throw new ArgumentOutOfRangeException(nameof(StallThreshold), stall, "The stall threshold is 1 ms to 1 hour.");
    }
}
