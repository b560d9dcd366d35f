using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The timers that arrived in firing order: a ring of entries, each no earlier than the one before, so the earliest is
/// at the front and a timer is added and taken in O(1), at addresses that follow each other. Timers of one delay set
/// from a steady clock (a timeout per request, a periodic tick) arrive this way, which is why the embedded tier keeps
/// them apart from its heap (see <see cref="TimerQueue"/>).
/// </summary>
/// <remarks>A value held in its queue's field. Fixed size: when full, or for a timer earlier than the last one, the
/// caller uses the heap instead.</remarks>
internal struct TimerRun
{
    private readonly TimerEntry[] _entries;
    private int _head; // the earliest entry, when Count > 0

    /// <param name="capacity">How many timers the run holds.</param>
    internal TimerRun(int capacity) => _entries = new TimerEntry[Math.Max(1, capacity)];

    /// <summary>How many timers the run holds now.</summary>
    internal int Count { readonly get; private set; }

    /// <summary>The earliest timer (the run must not be empty).</summary>
    internal readonly ref readonly TimerEntry First
    {
        get
        {
            Debug.Assert(Count > 0, "only a run that holds timers has a first one");
            return ref _entries[_head];
        }
    }

    /// <summary>Adds <paramref name="entry"/> at the back, unless the run is full or the entry fires before the last
    /// one (then the order would break).</summary>
    /// <returns>True when added.</returns>
    internal bool TryAppend(in TimerEntry entry)
    {
        var entries = _entries;
        int count = Count;
        if (count == entries.Length) return false;
        if (count > 0 && TimerEntry.Earlier(entry, entries[Wrap(_head + count - 1)])) return false;
        entries[Wrap(_head + count)] = entry;
        Count = count + 1;
        return true;
    }

    /// <summary>Removes the earliest timer (the run must not be empty).</summary>
    /// <returns>What it fires.</returns>
    internal ClaimableWait TakeFirst()
    {
        Debug.Assert(Count > 0, "only a run that holds timers loses its first one");
        var wait = _entries[_head].Wait;
        _entries[_head] = default; // the wait's target is not kept alive by a taken timer
        _head = Wrap(_head + 1);
        Count--;
        return wait;
    }

    /// <summary>True when a timer due at <paramref name="now"/> would still resume something.</summary>
    internal readonly bool HasPendingDue(long now)
    {
        for (int i = 0; i < Count; i++)
        {
            ref readonly var entry = ref _entries[Wrap(_head + i)];
            if (entry.Deadline > now) return false; // in order: none later is due either
            if (entry.Wait.IsPending) return true;
        }
        return false;
    }

    /// <summary>Drops every timer whose wait is no longer pending, keeping the others in their order.</summary>
    internal void DropWithdrawn()
    {
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            ref var from = ref _entries[Wrap(_head + i)];
            var entry = from;
            from = default;
            if (entry.Wait.IsPending) _entries[Wrap(_head + kept++)] = entry; // lands at or before where it was read
        }
        Count = kept;
    }

    private readonly int Wrap(int index) => index >= _entries.Length ? index - _entries.Length : index;
}
