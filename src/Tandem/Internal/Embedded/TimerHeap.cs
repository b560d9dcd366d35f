using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The embedded tier's timers: a binary min-heap of (deadline, sequence) in one array, so the
/// earliest timer is found in O(1) and added or removed in O(log n). Timers with the same
/// deadline fire in the order they were added, which keeps runs deterministic.
/// </summary>
/// <remarks>
/// The array is sized at construction and doubles only when more timers are pending than that
/// (the one allocation the embedded tier may make after start-up; size it to avoid it).
/// A cancelled timer (its waiter aborted) stays until due and then fires into a claimed wait,
/// which ignores it.
/// </remarks>
internal sealed class TimerHeap(int initialCapacity)
{
    private Entry[] _entries = new Entry[Math.Max(4, initialCapacity)];
    private long _sequence;

    internal int Count { get; private set; }

    internal long NextDeadline => Count > 0 ? _entries[0].Deadline : long.MaxValue;

    internal void Add(long deadline, ClaimableWait resumption)
    {
        if (Count >= _purgeAt) Purge();
        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        SiftUp(new Entry(deadline, _sequence++, resumption));
    }

    /// <summary>Places <paramref name="entry"/> at the end of the heap and moves it up to its place.</summary>
    private void SiftUp(Entry entry)
    {
        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Earlier(entry, _entries[parent])) break;
            _entries[i] = _entries[parent];
            i = parent;
        }
        _entries[i] = entry;
        CheckPlaced(i);
    }

    /// <summary>True when a timer due at <paramref name="now"/> would still resume something (its wait was not claimed
    /// by an abort): a due timer whose wait is gone makes nothing ready.</summary>
    internal bool HasPendingDue(long now)
    {
        for (int i = 0; i < Count; i++)
        {
            if (_entries[i].Deadline <= now && _entries[i].Wait.IsPending) return true;
        }
        return false;
    }

    /// <summary>Removes the earliest timer if it is due at <paramref name="now"/>.</summary>
    internal bool TryTakeDue(long now, out ClaimableWait resumption)
    {
        if (Count == 0 || _entries[0].Deadline > now)
        {
            resumption = default;
            return false;
        }
        resumption = _entries[0].Wait;
        RemoveFirst();
        return true;
    }

    /// <summary>Removes the earliest timer if its deadline is exactly <paramref name="deadline"/>.</summary>
    internal bool TryTakeAt(long deadline, out ClaimableWait resumption) =>
        TryTakeDue(Count > 0 && _entries[0].Deadline == deadline ? deadline : long.MinValue, out resumption);

    /// <summary>The count at which <see cref="Add"/> next drops the entries whose waits were withdrawn.</summary>
    private int _purgeAt = MinPurge;

    private const int MinPurge = 64;

    /// <summary>
    /// Drops every entry whose wait is no longer pending — a finished timeout's timer, a delay whose task was aborted or
    /// whose token cancelled it — and rebuilds the heap. Run when the heap has doubled since the last purge, so the
    /// cost is constant per timer added and the heap holds at most about twice the timers still pending: a server that
    /// wraps every request in a long timeout does not keep one entry per finished request until its deadline.
    /// </summary>
    private void Purge()
    {
        int kept = 0;
        for (int i = 0; i < Count; i++)
            if (_entries[i].Wait.IsPending) _entries[kept++] = _entries[i];
        for (int i = kept; i < Count; i++) _entries[i] = default;
        Count = 0;
        for (int i = 0; i < kept; i++) SiftUp(_entries[i]); // rebuilt in place: entry i is read before anything lands on it
        _purgeAt = Math.Max(MinPurge, Count * 2);
    }

    private void RemoveFirst()
    {
        var last = _entries[--Count];
        _entries[Count] = default;
        if (Count > 0) SiftDown(last);
    }

    private void SiftDown(Entry entry)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && Earlier(_entries[child + 1], _entries[child])) child++;
            if (!Earlier(_entries[child], entry)) break;
            _entries[i] = _entries[child];
            i = child;
        }
        _entries[i] = entry;
        CheckPlaced(i);
    }

    /// <summary>Checks the heap order around the entry just placed at <paramref name="i"/> (Debug builds): no earlier
    /// than its parent, no later than its children. Each placement checks its own neighbourhood, so the whole heap
    /// stays ordered.</summary>
    [Conditional("DEBUG")]
    private void CheckPlaced(int i)
    {
        Debug.Assert(i == 0 || !Earlier(_entries[i], _entries[(i - 1) >> 1]), "a timer is never earlier than its parent");
        int child = 2 * i + 1;
        Debug.Assert(child >= Count || !Earlier(_entries[child], _entries[i]), "a timer is never later than its first child");
        Debug.Assert(child + 1 >= Count || !Earlier(_entries[child + 1], _entries[i]), "a timer is never later than its second child");
    }

    private static bool Earlier(in Entry a, in Entry b) =>
        a.Deadline < b.Deadline || (a.Deadline == b.Deadline && a.Sequence < b.Sequence);

    private readonly record struct Entry(long Deadline, long Sequence, ClaimableWait Wait);
}
