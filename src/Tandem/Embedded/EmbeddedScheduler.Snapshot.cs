namespace Tandem.Embedded;

public sealed partial class EmbeddedScheduler
{
    // The slots are read from whatever thread asks, while the loop thread runs them: each slot's state first (a slot
    // becomes live only after its task's fields are set), then the task through TaskCore.ReadInfo, which drops an entry
    // whose task finished while it was read.
    private protected override void AddLiveTasks(List<TaskInfo> tasks)
    {
        if (_disposed) throw UsedAfterShutdown();
        long now = _clock.GetTimestamp();
        foreach (var slot in _slots.Slots)
        {
            if (slot.ReadActivity() is null) continue;
            int generation = Volatile.Read(ref slot.Generation);
            Interlocked.MemoryBarrier();
            if (slot.ReadActivity() is not { } stillLive) continue; // freed between the two reads
            if (slot.ReadInfo(generation, stillLive, now) is { } info) tasks.Add(info);
        }
    }

    private protected override void CollectStalls(List<TaskStallEventArgs> stalls, TimeSpan threshold)
    {
        long now = _clock.GetTimestamp();
        foreach (var slot in _slots.Slots)
        {
            if (slot.ReadActivity() is null) continue;
            int generation = Volatile.Read(ref slot.Generation);
            Interlocked.MemoryBarrier();
            if (slot.ReadActivity() is not { } activity) continue;
            if (slot.CheckStall(generation, activity, now, threshold) is { } stall)
                stalls.Add(new TaskStallEventArgs(stall.Kind, stall.Duration, stall.Task.ToInfo(_clock, now)));
        }
    }
}
