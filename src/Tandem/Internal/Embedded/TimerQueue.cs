using System.Diagnostics;

namespace Tandem.Internal.Embedded;

/// <summary>
/// The embedded tier's timers, in firing order: the earliest deadline first, and timers of one deadline in the order
/// they were added, so runs stay deterministic.
/// </summary>
/// <remarks>
/// <para>Two parts, merged at the front. A timer no earlier than the last one added to the <see cref="TimerRun"/> is
/// appended to it: O(1) to add and to take, reading memory in order. Any other timer, or one that finds the run full,
/// goes to the <see cref="TimerHeap"/>: O(log n). Timers of one delay on a steady clock — a timeout per request, a
/// periodic tick, a thousand tasks sleeping alike — all take the run, where a heap alone walked its whole height, at
/// a cache miss a level once it outgrew the cache, for every timer it fired. The earliest timer is the earlier of the
/// two fronts (compared by deadline, then by sequence), so the order is the same as one heap's.</para>
/// <para>Both parts are sized at construction to the timer capacity: while no more timers than that are pending, the
/// queue allocates nothing. Only the heap grows past it.</para>
/// <para>A withdrawn timer (its wait no longer pending: a finished timeout's timer, a delay whose task was aborted or
/// whose token ended it) stays until due and then fires into a claimed wait, which ignores it — unless an
/// <see cref="Add"/> finds twice as many timers as after the last purge, which drops every withdrawn one: a constant
/// cost per timer added, and at most about twice the pending timers held.</para>
/// </remarks>
internal sealed class TimerQueue
{
    private const int MinPurge = 64;

    private TimerRun _run;
    private TimerHeap _heap;
    private long _sequence;
    private int _purgeAt = MinPurge; // the count at which Add next drops the withdrawn timers

    /// <param name="capacity">How many timers fit before the queue must grow.</param>
    internal TimerQueue(int capacity)
    {
        _run = new TimerRun(capacity);
        _heap = new TimerHeap(capacity);
    }

    /// <summary>How many timers are held, withdrawn ones not yet dropped included. A field of its own (the two parts'
    /// counts summed): the loop reads it before every pick.</summary>
    internal int Count { get; private set; }

    /// <summary>The earliest deadline held, or <see cref="long.MaxValue"/> when none is.</summary>
    internal long NextDeadline
    {
        get
        {
            long next = _heap.Count > 0 ? _heap.First.Deadline : long.MaxValue;
            return _run.Count > 0 && _run.First.Deadline < next ? _run.First.Deadline : next;
        }
    }

    /// <summary>Adds a timer that fires <paramref name="wait"/> at <paramref name="deadline"/>.</summary>
    internal void Add(long deadline, ClaimableWait wait)
    {
        if (Count >= _purgeAt) Purge();
        var entry = new TimerEntry(deadline, _sequence++, wait);
        if (!_run.TryAppend(entry)) _heap.Add(entry);
        Count++;
        CheckCount();
    }

    /// <summary>Removes the earliest timer if its deadline is exactly <paramref name="deadline"/>.</summary>
    /// <returns>True when one was removed; <paramref name="wait"/> is what it fires.</returns>
    internal bool TryTakeAt(long deadline, out ClaimableWait wait)
    {
        bool fromRun = _run.Count > 0 && (_heap.Count == 0 || TimerEntry.Earlier(_run.First, _heap.First));
        if (fromRun ? _run.First.Deadline != deadline : _heap.Count == 0 || _heap.First.Deadline != deadline)
        {
            wait = default;
            return false;
        }
        wait = fromRun ? _run.TakeFirst() : _heap.TakeFirst();
        Count--;
        CheckCount();
        return true;
    }

    /// <summary>True when a timer due at <paramref name="now"/> would still resume something (its wait was not claimed
    /// by an abort): a due timer whose wait is gone makes nothing ready.</summary>
    internal bool HasPendingDue(long now) => _run.HasPendingDue(now) || _heap.HasPendingDue(now);

    /// <summary>Checks the count is the two parts' (Debug builds).</summary>
    [Conditional("DEBUG")]
    private void CheckCount() => Debug.Assert(Count == _run.Count + _heap.Count, "the queue counts every timer of its two parts, once");

    private void Purge()
    {
        _run.DropWithdrawn();
        _heap.DropWithdrawn();
        Count = _run.Count + _heap.Count;
        _purgeAt = Math.Max(MinPurge, Count * 2);
    }
}
