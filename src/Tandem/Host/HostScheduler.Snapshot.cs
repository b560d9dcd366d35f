namespace Tandem.Host;

public sealed partial class HostScheduler
{
    // A task in the live list cannot finish and be reused while its shard's lock is held (its removal takes that lock),
    // so each entry is read under it. Blocking jobs (SpawnBlocking) are not tasks of the list, and are not listed.
    private protected override void AddLiveTasks(List<TaskInfo> tasks)
    {
        if (_shutdownOutcome.Task.IsCompleted) throw UsedAfterShutdown();
        _live.AddSnapshots(tasks, TimeProvider.System, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    private protected override void CollectStalls(List<TaskStallEventArgs> stalls, TimeSpan threshold) =>
        _live.CollectStalls(stalls, TimeProvider.System, System.Diagnostics.Stopwatch.GetTimestamp(), threshold);
}
