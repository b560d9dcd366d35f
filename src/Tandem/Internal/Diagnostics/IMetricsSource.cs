namespace Tandem.Internal.Diagnostics;

/// <summary>
/// What a tier reports to its meter, read when a listener collects (any thread). The figures are plain fields the tier
/// keeps anyway or counts without atomic operations (a worker's own counters, a live-list shard's under the lock it
/// already takes), so a snapshot of them may be a few operations stale; nothing on the hot paths pays for it.
/// </summary>
internal interface IMetricsSource
{
    /// <summary>Worker threads (1 on the embedded tier).</summary>
    int WorkerCount { get; }

    /// <summary>Fills the unfinished tasks by the priority they were spawned at, and the finished ones by that priority and
    /// outcome (index <c>priority * 3 + outcome</c>, outcome 0 completed, 1 faulted, 2 aborted).</summary>
    void ReadTasks(Span<long> alive, Span<long> finished);

    /// <summary>Fills the tasks queued to run, by priority: in the workers' own queues (the embedded tier's ready queues)
    /// and in the global queues (none on the embedded tier).</summary>
    void ReadQueues(Span<long> local, Span<long> global);

    /// <summary>Polls, steals and parks since the start, summed over the workers.</summary>
    (long Polls, long Steals, long Parks) ReadWorkerCounters();

    /// <summary>Timers waiting to fire.</summary>
    int ActiveTimers { get; }

    /// <summary>Blocking-pool threads, of them idle, and jobs queued; null on a tier with no blocking pool.</summary>
    (int Threads, int Idle, int Queued)? ReadBlockingPool();

    /// <summary>The fixed task capacity, or null when unbounded.</summary>
    int? Capacity { get; }

    /// <summary>Spawns refused for capacity since the start.</summary>
    long RejectedSpawns { get; }
}
