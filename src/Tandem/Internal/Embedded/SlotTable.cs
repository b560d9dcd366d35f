using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The task slots of an embedded scheduler, made once at construction: which are free, and which hold a finished task
/// nobody joined yet (reclaimable, oldest first, when a spawn finds no free slot). Loop thread only: no atomics.
/// </summary>
/// <remarks>
/// <para>Invariants: every slot is in exactly one of three places — the free stack (state Free), the reclaim list
/// (state Done, not yet joined, nobody waiting to join), or neither (a live task, or a finished one whose joiner or
/// set is about to take its outcome). The free stack pops the lowest index first on a fresh table, so the same program
/// uses the same slots on every run. <see cref="CheckInvariants"/> verifies this in Debug builds.</para>
/// </remarks>
internal sealed class SlotTable
{
    private readonly EmbeddedTask[] _slots;
    private readonly int[] _free;
    private int _freeCount;
    private int _reclaimHead = -1, _reclaimTail = -1;

    /// <summary>Makes <paramref name="capacity"/> slots for <paramref name="scheduler"/>, all free.</summary>
    internal SlotTable(EmbeddedScheduler scheduler, int capacity)
    {
        _slots = new EmbeddedTask[capacity];
        _free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new EmbeddedTask(scheduler, i);
            _free[i] = capacity - 1 - i; // pop order 0, 1, 2, …: deterministic, lowest slots first
        }
        _freeCount = capacity;
    }

    /// <summary>Every slot, by index (the ready queues thread their links through it).</summary>
    internal EmbeddedTask[] Slots => _slots;

    /// <summary>The slot of <paramref name="index"/> (0 to capacity − 1).</summary>
    internal EmbeddedTask this[int index] => _slots[index];

    /// <summary>True when a slot is free.</summary>
    internal bool HasFree => _freeCount > 0;

    /// <summary>The finished, unjoined slot that finished first, or null.</summary>
    internal EmbeddedTask? OldestReclaimable => _reclaimHead >= 0 ? _slots[_reclaimHead] : null;

    /// <summary>Takes a free slot (there must be one: <see cref="HasFree"/>).</summary>
    internal EmbeddedTask TakeFree()
    {
        Debug.Assert(_freeCount > 0, "a slot is taken only when one is free");
        var slot = _slots[_free[--_freeCount]];
        Debug.Assert(slot.IsFree && !slot.InReclaimList, "the free stack holds free slots only");
        return slot;
    }

    /// <summary>Puts a slot that was just freed (<see cref="EmbeddedTask.TransitionToFree"/>) back on the free stack,
    /// taking it out of the reclaim list if it was there.</summary>
    internal void PutFree(EmbeddedTask slot)
    {
        Debug.Assert(slot.IsFree && _freeCount < _slots.Length, "only a freed slot goes back, and once");
        if (slot.InReclaimList) RemoveReclaimable(slot);
        _free[_freeCount++] = slot.Index;
    }

    /// <summary>Appends a finished slot nobody is waiting to join to the reclaim list.</summary>
    internal void AddReclaimable(EmbeddedTask slot)
    {
        Debug.Assert(slot.IsDone && !slot.InReclaimList, "only a finished slot is reclaimable, and it is listed once");
        slot.InReclaimList = true;
        slot.ReclaimNext = -1;
        slot.ReclaimPrev = _reclaimTail;
        if (_reclaimTail >= 0) _slots[_reclaimTail].ReclaimNext = slot.Index;
        else _reclaimHead = slot.Index;
        _reclaimTail = slot.Index;
    }

    private void RemoveReclaimable(EmbeddedTask slot)
    {
        if (slot.ReclaimPrev >= 0) _slots[slot.ReclaimPrev].ReclaimNext = slot.ReclaimNext;
        else _reclaimHead = slot.ReclaimNext;
        if (slot.ReclaimNext >= 0) _slots[slot.ReclaimNext].ReclaimPrev = slot.ReclaimPrev;
        else _reclaimTail = slot.ReclaimPrev;
        slot.ReclaimPrev = slot.ReclaimNext = -1;
        slot.InReclaimList = false;
    }

    /// <summary>Checks the table's invariants (Debug builds; loop thread, between polls). Costs time linear in the capacity.</summary>
    [Conditional("DEBUG")]
    internal void CheckInvariants()
    {
        var seen = new bool[_slots.Length];
        for (int i = 0; i < _freeCount; i++)
        {
            int index = _free[i];
            Debug.Assert(!seen[index] && _slots[index].IsFree && !_slots[index].InReclaimList, "a free slot is on the free stack once, free and unlisted");
            seen[index] = true;
        }
        int listed = 0, previous = -1;
        for (int index = _reclaimHead; index >= 0; index = _slots[index].ReclaimNext)
        {
            var slot = _slots[index];
            Debug.Assert(!seen[index] && slot.IsDone && slot.InReclaimList && slot.ReclaimPrev == previous, "a reclaimable slot is finished, listed once, with consistent links");
            seen[index] = true;
            previous = index;
            listed++;
        }
        Debug.Assert(previous == _reclaimTail, "the reclaim list's tail is its last slot");
        foreach (var slot in _slots)
            Debug.Assert(seen[slot.Index] || (!slot.IsFree && !slot.InReclaimList), "a slot off both lists is in use");
        _ = listed;
    }
}
