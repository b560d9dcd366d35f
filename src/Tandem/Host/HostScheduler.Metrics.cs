using Tandem.Internal.Diagnostics;

namespace Tandem.Host;

// What this tier counts for its meter (see RuntimeMetrics): each worker's own plain counters (polls, steals, parks),
// the live-task list's per-shard counts kept under the shard lock a spawn and a finish take anyway, and the queues'
// lengths, read when a listener collects. No atomic operation and no allocation on the hot paths.
public sealed partial class HostScheduler : IMetricsSource
{
    int IMetricsSource.WorkerCount => WorkerCount;

    void IMetricsSource.ReadTasks(Span<long> alive, Span<long> finished) => _live.ReadCounts(alive, finished);

    void IMetricsSource.ReadQueues(Span<long> local, Span<long> global)
    {
        local.Clear();
        foreach (var worker in Workers) worker.AddQueueLengths(local);
        for (int p = 0; p < Priorities.Count; p++) global[p] = _inject[p].Count;
    }

    (long Polls, long Steals, long Parks) IMetricsSource.ReadWorkerCounters()
    {
        long polls = 0, steals = 0, parks = 0;
        foreach (var worker in Workers)
        {
            polls += Volatile.Read(ref worker.Polls);
            steals += Volatile.Read(ref worker.Steals);
            parks += Volatile.Read(ref worker.Parks);
        }
        return (polls, steals, parks);
    }

    int IMetricsSource.ActiveTimers => _timers.Count;

    (int Threads, int Idle, int Queued)? IMetricsSource.ReadBlockingPool() => _blocking.ReadCounts();

    int? IMetricsSource.Capacity => null;

    long IMetricsSource.RejectedSpawns => 0; // the host tier is never full
}
