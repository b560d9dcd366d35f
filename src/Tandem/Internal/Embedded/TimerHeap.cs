using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The timers that arrived out of firing order: a binary min-heap of entries in one array, ordered by
/// <see cref="TimerEntry.Earlier"/>, so the earliest is found in O(1) and added or removed in O(log n).
/// </summary>
/// <remarks>A value held in its queue's field. The array is sized at construction and doubles only when more timers
/// are in the heap than that (the one allocation the embedded tier may make after start-up; size it to avoid it).</remarks>
internal struct TimerHeap
{
    private TimerEntry[] _entries;

    /// <param name="initialCapacity">How many timers fit before the array must grow.</param>
    internal TimerHeap(int initialCapacity) => _entries = new TimerEntry[Math.Max(4, initialCapacity)];

    /// <summary>How many timers the heap holds.</summary>
    internal int Count { readonly get; private set; }

    /// <summary>The earliest timer (the heap must not be empty).</summary>
    internal readonly ref readonly TimerEntry First
    {
        get
        {
            Debug.Assert(Count > 0, "only a heap that holds timers has a first one");
            return ref _entries[0];
        }
    }

    /// <summary>Adds <paramref name="entry"/>, doubling the array when it is full.</summary>
    internal void Add(in TimerEntry entry)
    {
        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        SiftUp(entry);
    }

    /// <summary>Places <paramref name="entry"/> at the end of the heap and moves it up to its place.</summary>
    private void SiftUp(TimerEntry entry)
    {
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!TimerEntry.Earlier(entry, _entries[parent])) break;
            _entries[i] = _entries[parent];
            i = parent;
        }
        _entries[i] = entry;
        CheckPlaced(i);
    }

    /// <summary>Removes the earliest timer (the heap must not be empty).</summary>
    /// <returns>What it fires.</returns>
    internal ClaimableWait TakeFirst()
    {
        Debug.Assert(Count > 0, "only a heap that holds timers loses its first one");
        var wait = _entries[0].Wait;
        var last = _entries[--Count];
        _entries[Count] = default;
        if (Count > 0) SiftDown(last);
        return wait;
    }

    private void SiftDown(TimerEntry entry)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && TimerEntry.Earlier(_entries[child + 1], _entries[child])) child++;
            if (!TimerEntry.Earlier(_entries[child], entry)) break;
            _entries[i] = _entries[child];
            i = child;
        }
        _entries[i] = entry;
        CheckPlaced(i);
    }

    /// <summary>True when a timer due at <paramref name="now"/> would still resume something.</summary>
    internal readonly bool HasPendingDue(long now)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_entries[i].Deadline <= now && _entries[i].Wait.IsPending) return true;
        }
        return false;
    }

    /// <summary>Drops every timer whose wait is no longer pending and rebuilds the heap from the others.</summary>
    internal void DropWithdrawn()
    {
        int kept = 0;
        for (int i = 0; i < Count; i++)
            if (_entries[i].Wait.IsPending) _entries[kept++] = _entries[i];
        for (int i = kept; i < Count; i++) _entries[i] = default;
        Count = 0;
        for (int i = 0; i < kept; i++) SiftUp(_entries[i]); // rebuilt in place: entry i is read before anything lands on it
    }

    /// <summary>Checks the heap order around the entry just placed at <paramref name="i"/> (Debug builds): no earlier
    /// than its parent, no later than its children. Each placement checks its own neighbourhood, so the whole heap
    /// stays ordered.</summary>
    [Conditional("DEBUG")]
    private readonly void CheckPlaced(int i)
    {
        Debug.Assert(i == 0 || !TimerEntry.Earlier(_entries[i], _entries[(i - 1) >> 1]), "a timer is never earlier than its parent");
        int child = 2 * i + 1;
        Debug.Assert(child >= Count || !TimerEntry.Earlier(_entries[child], _entries[i]), "a timer is never later than its first child");
        Debug.Assert(child + 1 >= Count || !TimerEntry.Earlier(_entries[child + 1], _entries[i]), "a timer is never later than its second child");
    }
}
