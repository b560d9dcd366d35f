using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tandem.Internal.Embedded;

/// <summary>
/// Tells which polls of an embedded loop may have allocated, and so may have captured their task's synchronization
/// context (every way .NET captures one allocates on the capturing thread; see <see cref="EmbeddedTaskContext"/>).
/// </summary>
/// <remarks>
/// <para>The loop's polls are grouped in numbered <em>windows</em> of up to <see cref="PollsPerWindow"/> polls; a
/// window closes after that many polls and when the loop ends. Closing reads the thread's allocation count once (<see
/// cref="GC.GetAllocatedBytesForCurrentThread"/>, which costs a thread-local lookup: once per thirty-two polls instead
/// of after each; sixteen cost a yield 0.4 ns more) and records in a ring of bits whether it moved during the window.
/// Each task remembers the last window it was polled in, and when it is next polled (or its slot reused) looks that
/// window up: so an allocation marks only the tasks polled in its window, never every task alive, and a poll costs a
/// few plain loads and stores.</para>
/// <para>A spawn that reuses a slot polled in the open window needs to know about that window before it closes: it
/// <see cref="Refresh">refreshes</see> it, reading the count without closing. A window that allocated stays marked
/// until it leaves the ring (a later refresh or its close never clears it), so whatever a task polled in it did before or
/// after a refresh is seen; and the window's number does not change in the middle of a poll, so the polling task is
/// noted in every window its poll ran in.</para>
/// <para>Between two polls only Tandem's own code runs, and whatever it allocates is charged to the window: a safe
/// overestimate. What runs outside the loop had no task's context to capture: counting starts afresh at the first poll
/// after the loop is entered (<see cref="Begin"/>) and stops when it is left (<see cref="End"/>). A window that has
/// left the ring (more than <c>capacity × 2</c> polls ago) counts as having allocated.</para>
/// <para>A value held in its scheduler's field (one load less per poll than an object of its own).</para>
/// </remarks>
internal struct AllocationWindows
{
    /// <summary>Polls after which the open window closes.</summary>
    internal const int PollsPerWindow = 32;

    private readonly ulong[] _allocated; // ring: bit (w mod ring) set when window w allocated (closed, or open and refreshed)
    private readonly int _ringMask;      // ring size in windows, minus one
    private long _baseline;
    private long _open;         // 64 bits: a busy loop would wrap 32 in minutes
    private int _pollsDone;
    private long _pollsInClosedWindows;
    private long _lastAllocated; // the newest window known to have allocated (-1: none yet)

    /// <summary>A ring long enough that every task of a full scheduler can be polled once before its window leaves it.</summary>
    /// <param name="capacity">The scheduler's task capacity.</param>
    internal AllocationWindows(int capacity)
    {
        int windows = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(256, capacity * 2 / PollsPerWindow));
        _allocated = new ulong[windows / 64];
        _ringMask = windows - 1;
        _lastAllocated = -1;
    }

    /// <summary>The polls of the closed windows (any thread, for the metrics). The windows count every poll, so the loop
    /// keeps no second counter. Only closed windows: one field, so a reader on another thread sees a count that never
    /// goes back (adding the open window's count could, read across a close) — at most a window behind while the loop
    /// runs, exact once it is left (leaving closes the window).</summary>
    internal readonly long Polls => Volatile.Read(in _pollsInClosedWindows);

    /// <summary>The number of the open window.</summary>
    internal readonly long Open => _open;

    /// <summary>True while counting on the loop's thread: from the first poll after the loop was entered until it is left.</summary>
    internal readonly bool Counting => _counting;

    private bool _counting;

    /// <summary>Starts counting on the calling thread (the loop's, before its first poll since it was entered). Lazily, so
    /// that entering the loop only to find the awaited task finished reads no thread-local count.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void Begin()
    {
        _baseline = GC.GetAllocatedBytesForCurrentThread();
        _counting = true;
    }

    /// <summary>Stops counting: the loop is left. Closes the open window when anything was counted in it.</summary>
    internal void End()
    {
        if (!_counting) return;
        Close();
        _counting = false;
    }

    /// <summary>Counts one poll (loop thread, after the poll).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AfterPoll()
    {
        if (++_pollsDone == PollsPerWindow) Close();
    }

    /// <summary>Closes the open window (loop thread), recording whether the thread allocated during it.</summary>
    internal void Close()
    {
        int bit = (int)_open & _ringMask;
        // Its bit is the ring's stale one (a window that long left it) unless a refresh set it: then it stays set.
        if (!Refresh() && _lastAllocated != _open) _allocated[bit >> 6] &= ~(1UL << bit);
        _open++;
        Volatile.Write(ref _pollsInClosedWindows, _pollsInClosedWindows + _pollsDone);
        _pollsDone = 0;
    }

    /// <summary>Records whether the thread allocated in the open window since it opened or was last refreshed, leaving
    /// it open (loop thread, while counting).</summary>
    /// <returns>True when it did.</returns>
    internal bool Refresh()
    {
        Debug.Assert(_counting, "only the loop's thread, while it counts, reads the count it started from");
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        if (allocated == _baseline) return false;
        _baseline = allocated;
        int bit = (int)_open & _ringMask;
        _allocated[bit >> 6] |= 1UL << bit;
        _lastAllocated = _open;
        return true;
    }

    /// <summary>Counts afresh from now, leaving out an allocation of Tandem's own just made (right after <see cref="Refresh"/>).</summary>
    internal void Forget() => _baseline = GC.GetAllocatedBytesForCurrentThread();

    /// <summary>True when window <paramref name="window"/> may have allocated: a closed one, or the open one as of its
    /// last refresh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly bool MayHaveAllocated(long window)
    {
        if (window > _lastAllocated) return false; // the common case: nothing allocated since
        if (_open - window > _ringMask) return true;
        int bit = (int)window & _ringMask;
        return (_allocated[bit >> 6] & (1UL << bit)) != 0;
    }
}
