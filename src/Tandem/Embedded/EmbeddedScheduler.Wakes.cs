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
        WakeRecord.Record(ref _wakeRecords[index], generation);
        _registry.SetFlag(index);
    }

    /// <summary>The drain found the flag of <paramref name="index"/> set (loop thread): wakes the task it is for, if any.</summary>
    private void OnFlag(int index)
    {
        var slot = _slots[index];
        if (WakeRecord.TakeFor(ref _wakeRecords[index], slot.Generation)) MarkWoken(slot);
    }

    private void MarkWoken(EmbeddedTask slot)
    {
        if (slot.TransitionOnWake()) MakeReady(slot);
    }
}
