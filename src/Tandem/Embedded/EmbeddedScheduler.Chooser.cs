using System.Numerics;

namespace Tandem.Embedded;

// The optional schedule policy (IScheduleChooser; the simulation tester): the picks, timer orders and wake orders it makes.
public sealed partial class EmbeddedScheduler
{
    private IScheduleChooser? _chooser;
    private EmbeddedTask[]? _chosenReady;
    private ClaimableWait[]? _chosenTimers;
    private int[]? _chosenWakes;
    private int _chosenWakeCount;

    /// <summary>Sets the schedule policy (before the first spawn, or while no loop runs); null restores arrival order.
    /// Allocates the policy's buffers once.</summary>
    internal void SetChooser(IScheduleChooser? chooser)
    {
        if (_polling) throw new InvalidOperationException("The schedule policy is set between polls.");
        if (chooser is not null)
        {
            _chosenReady ??= new EmbeddedTask[Capacity];
            _chosenTimers ??= new ClaimableWait[16];
            _chosenWakes ??= new int[Capacity];
        }
        _chooser = chooser;
    }

    /// <summary>The deadline of the earliest timer (a clock timestamp), or <see cref="long.MaxValue"/> when none is pending.</summary>
    internal long NextTimerDeadline => _timers.NextDeadline;

    /// <summary><see cref="PollOne"/> under a schedule policy: the same steps, with the policy's wake order and pick.</summary>
    private bool PollOneChosen(IScheduleChooser chooser)
    {
        if (_registry.HasSignals) DrainChosen(chooser);
        if (_timers.Count > 0) FireDueTimers();
        if (_readyLevels == 0) return false;
        int level = BitOperations.TrailingZeroCount(_readyLevels);
        var queue = _ready[level];
        var slot = TakeChosen(chooser, queue);
        if (queue.IsEmpty) _readyLevels &= ~(1 << level);
        if (!_windows.Counting) _windows.Begin();
        PollSlot(slot);
        return true;
    }

    /// <summary>Takes the task the policy picks from <paramref name="queue"/> (not empty).</summary>
    private EmbeddedTask TakeChosen(IScheduleChooser chooser, ReadyQueue queue)
    {
        int count = queue.CopyTo(_chosenReady!);
        int position = chooser.ChooseReady(new ReadOnlySpan<EmbeddedTask>(_chosenReady, 0, count));
        Array.Clear(_chosenReady!, 0, count);
        if ((uint)position >= (uint)count) throw new InvalidOperationException($"The schedule policy picked {position} of {count} ready tasks.");
        return queue.TakeAt(position);
    }

    /// <summary>Fires the timers due at <paramref name="deadline"/> in the policy's order.</summary>
    private void FireChosenTimers(IScheduleChooser chooser, long deadline)
    {
        int count = 0;
        while (_timers.TryTakeAt(deadline, out var resumption))
        {
            if (count == _chosenTimers!.Length) Array.Resize(ref _chosenTimers, count * 2);
            _chosenTimers[count++] = resumption;
        }
        var due = new Span<ClaimableWait>(_chosenTimers, 0, count);
        chooser.OrderTimers(due, deadline);
        foreach (var resumption in due) resumption.Fire();
        due.Clear();
    }

    /// <summary>Drains the registry, then wakes the flagged slots in the policy's order.</summary>
    private void DrainChosen(IScheduleChooser chooser)
    {
        _chosenWakeCount = 0;
        _registry.Drain(this, static (s, index) => s._chosenWakes![s._chosenWakeCount++] = index);
        var slots = new Span<int>(_chosenWakes, 0, _chosenWakeCount);
        chooser.OrderWakes(slots);
        foreach (int index in slots) OnFlag(index);
    }
}
