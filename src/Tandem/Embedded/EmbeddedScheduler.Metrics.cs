using Tandem.Internal.Diagnostics;

namespace Tandem.Embedded;

// What this tier counts for its meter (see RuntimeMetrics): plain fields of the loop thread, read by a collector as a
// snapshot. A spawn and a finish each add one increment to fields they already touch, and the polls are the ones the
// allocation windows count anyway (up to a window behind while the loop runs); no atomic operation, no allocation.
public sealed partial class EmbeddedScheduler : IMetricsSource
{
    private long _rejected;
    private readonly long[] _aliveByPriority = new long[Priorities.Count];
    private readonly long[] _finished = new long[Priorities.Count * 3];

    int IMetricsSource.WorkerCount => 1;

    void IMetricsSource.ReadTasks(Span<long> alive, Span<long> finished)
    {
        for (int p = 0; p < Priorities.Count; p++) alive[p] = Volatile.Read(ref _aliveByPriority[p]);
        for (int i = 0; i < _finished.Length; i++) finished[i] = Volatile.Read(ref _finished[i]);
    }

    void IMetricsSource.ReadQueues(Span<long> local, Span<long> global)
    {
        for (int p = 0; p < Priorities.Count; p++) local[p] = Volatile.Read(ref _ready[p].Count);
        global.Clear();
    }

    (long Polls, long Steals, long Parks) IMetricsSource.ReadWorkerCounters() => (_windows.Polls, 0, 0);

    int IMetricsSource.ActiveTimers => _timers.Count;

    (int Threads, int Idle, int Queued)? IMetricsSource.ReadBlockingPool() => null;

    int? IMetricsSource.Capacity => Capacity;

    long IMetricsSource.RejectedSpawns => Volatile.Read(ref _rejected);

    /// <summary>Counts a spawned task at its priority (loop thread).</summary>
    private void CountSpawned(EmbeddedTask slot) => _aliveByPriority[(int)slot.SpawnPriority]++;

    /// <summary>Counts a finished task by the priority it was spawned at and its outcome (loop thread).</summary>
    private void CountFinished(EmbeddedTask slot, TaskState outcome)
    {
        int p = (int)slot.SpawnPriority;
        _aliveByPriority[p]--;
        _finished[p * 3 + RuntimeMetrics.OutcomeIndex(outcome)]++;
    }
}
