using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The ready tasks of one priority level, first in, first out: an intrusive list threaded through the slots'
/// <see cref="EmbeddedTask.NextInLevel"/> indices. Adding and taking are a few stores, whatever the capacity,
/// and allocate nothing.
/// </summary>
/// <remarks>
/// <para>Invariants: a slot is in at most one queue, and only while it is Ready
/// (the scheduler queues a slot only on <see cref="EmbeddedTask.TransitionToReady"/>, and Ready leaves only by being taken here).
/// <c>_head</c> is -1 exactly when the queue is empty, and then so is <c>_tail</c>.</para>
/// <para>First in, first out makes each level round-robin: a task made ready again after it ran goes behind
/// every task already waiting, so every ready task of a level runs once before any runs twice. Tasks run in
/// the order they became ready: spawn order for new tasks, wake order for wakes made inside the loop, and slot
/// order for wakes that came through the waker registry (from other threads, or while no loop ran), which the
/// loop takes in slot order. The order depends only on the program, so the same program polls in the same
/// order every run. Owned by the scheduler's thread: no atomics.</para>
/// </remarks>
internal sealed class ReadyQueue(EmbeddedTask[] slots)
{
    private int _head = -1;
    private int _tail = -1;

    internal bool IsEmpty => _head < 0;

    /// <summary>Slots queued (loop thread; read by a metrics collector as a snapshot).</summary>
    internal int Count;

    /// <summary>Queues <paramref name="slot"/> at the back.</summary>
    internal void Add(EmbeddedTask slot)
    {
        Debug.Assert(_tail != slot.Index && (_head < 0) == (_tail < 0), "a slot is queued once; head and tail are empty together");
        slot.NextInLevel = -1;
        if (_tail < 0) _head = slot.Index;
        else slots[_tail].NextInLevel = slot.Index;
        _tail = slot.Index;
        Count++;
    }

    /// <summary>Takes the slot at the front; the queue must not be empty.</summary>
    internal EmbeddedTask Take()
    {
        Debug.Assert(_head >= 0 && _tail >= 0, "only a non-empty queue is taken from");
        var slot = slots[_head];
        _head = slot.NextInLevel;
        if (_head < 0) _tail = -1;
        Count--;
        return slot;
    }

    /// <summary>Copies the queued slots, front first, into <paramref name="into"/> (a schedule policy picks among them).</summary>
    /// <returns>How many.</returns>
    internal int CopyTo(EmbeddedTask[] into)
    {
        int n = 0;
        for (int i = _head; i >= 0; i = slots[i].NextInLevel) into[n++] = slots[i];
        return n;
    }

    /// <summary>Takes the slot at <paramref name="position"/> from the front (0 is <see cref="Take"/>); it must exist.</summary>
    internal EmbeddedTask TakeAt(int position)
    {
        if (position == 0) return Take();
        int previous = _head;
        for (int k = 1; k < position; k++) previous = slots[previous].NextInLevel;
        var slot = slots[slots[previous].NextInLevel];
        slots[previous].NextInLevel = slot.NextInLevel;
        if (_tail == slot.Index) _tail = previous;
        slot.NextInLevel = -1;
        Count--;
        return slot;
    }
}
