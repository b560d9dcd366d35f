namespace Tandem.Embedded;

// How a wake reaches a slot: directly on the loop's thread, through the registry and the slot's wake record from any other.
public sealed partial class EmbeddedScheduler
{
    void IWakeTarget.Wake(int index, int generation) => Wake(index, generation);

    /// <summary>Wakes the task in slot <paramref name="index"/> if it still is the one of <paramref name="generation"/>.</summary>
    internal void Wake(int index, int generation)
    {
        if ((uint)index >= (uint)Capacity) return;
        var slot = _slots[index];
        if (Volatile.Read(ref slot.Generation) != generation) return;
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _loopThread))
        {
            MarkWoken(slot); // on the loop's thread the generation just checked cannot change
            return;
        }
        TestHooks.Reach(HookPoint.RegistryWakeChecked);
        _chooser?.OnWakeFromOtherThread(index);
        WakeRecord.Record(ref _wakeRecords[index], generation);
        _registry.SetFlag(index);
    }

    /// <summary>The drain found the flag of <paramref name="index"/> set (loop thread): wakes the task it is for, if any.</summary>
    private void OnFlag(int index)
    {
        var slot = _slots[index];
        if (WakeRecord.TakeFor(ref _wakeRecords[index], slot.Generation)) MarkWoken(slot);
    }

    /// <summary>True on the thread driving the loop now.</summary>
    internal bool IsLoopThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _loopThread);

    /// <summary>
    /// A callback posted from another thread to a task whose poll is running on the loop thread waits for that poll to
    /// end. If the poll blocks on the very work that posted (sync over async: <c>Helper().Result</c>), it never ends, and
    /// with one thread nothing else runs: so if the same poll still runs 10 ms later, the callback is taken from the task
    /// and run on the thread pool, and the blocked poll can finish (as on the host tier; see HostJoinCell.Post). Costs
    /// a timer only for such a post.
    /// </summary>
    internal void ArmBlockedPollRescue(EmbeddedTask slot, int generation, int pollSequence, PostedAction posted) =>
        BlockedPollRescue.Arm(slot, generation, pollSequence, posted);

    /// <summary>The timer of one rescue (see <see cref="ArmBlockedPollRescue"/>).</summary>
    private sealed class BlockedPollRescue(EmbeddedTask slot, int generation, int pollSequence, PostedAction posted)
    {
        private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);
        private Timer? _timer;

        internal static void Arm(EmbeddedTask slot, int generation, int pollSequence, PostedAction posted)
        {
            var rescue = new BlockedPollRescue(slot, generation, pollSequence, posted);
            rescue._timer = new Timer(static s => ((BlockedPollRescue)s!).Fire(), rescue, Delay, System.Threading.Timeout.InfiniteTimeSpan);
        }

        private void Fire()
        {
            Volatile.Read(ref _timer)?.Dispose();
            // Still the poll it was armed for, and still blocked in it: take the callback and run it elsewhere.
            if (slot.IsRunning && Volatile.Read(ref slot.Generation) == generation && Volatile.Read(ref slot.PollSequence) == pollSequence)
                posted.TryTakeForRescue();
        }
    }

    private void MarkWoken(EmbeddedTask slot)
    {
        if (slot.TransitionOnWake()) MakeReady(slot);
    }
}
