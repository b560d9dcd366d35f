using System.Diagnostics;

namespace Tandem.Internal.Host;

/// <summary>
/// A worker's run queue for one priority: a fixed ring that only its owner pushes to (at the tail),
/// and that the owner and thieves take from (at the head), first in, first out.
/// </summary>
/// <remarks>
/// <para><c>_head</c> and <c>_tail</c> are 64-bit counters that only grow, so they never wrap and a
/// compare-and-swap on the head cannot be fooled by an old value (no ABA).</para>
/// <para>Invariants: items live at positions [head, tail); only the owner writes the tail, and only
/// after writing the item (a release store), so anyone who reads the tail sees the items before it.
/// The owner writes position <c>p</c> only while <c>p − head &lt; capacity</c>, so a slot a thief is
/// copying from cannot be overwritten before the thief's claim (a CAS of the head) either succeeds or
/// fails. A taker claims items by that CAS: the owner one at a time, a thief half the queue.</para>
/// </remarks>
internal sealed class LocalQueue
{
#if TANDEM_MODEL
    /// <summary>The ring's size: in the model build, small enough for the checker to reach a full ring.</summary>
    internal const int Capacity = 4;
#elif DEBUG
    /// <summary>The ring's size. Debug builds (the tests) use a small ring, so that every test that queues more than
    /// a few tasks on a worker runs the overflow to the global queue and the stealing paths.</summary>
    internal const int Capacity = 16;
#else
    /// <summary>The ring's size.</summary>
    internal const int Capacity = 256;
#endif
    private const int Mask = Capacity - 1;

    private readonly RefSlot<HostTask>[] _items = new RefSlot<HostTask>[Capacity];
    private long _head;
    private long _tail;

    /// <summary>How many tasks are queued (a snapshot; exact for the owner when no thief is active).</summary>
    internal int Count => (int)Math.Max(0, Atomic.Read(ref _tail) - Atomic.Read(ref _head));

    internal bool IsEmpty => Atomic.Read(ref _tail) == Atomic.Read(ref _head);

    /// <summary>Owner: appends <paramref name="task"/>; false when the ring is full.</summary>
    internal bool TryPush(HostTask task)
    {
        long tail = _tail;
        long head = Atomic.Read(ref _head);
        Debug.Assert(head <= tail, "claims never pass the tail: the head only moves up to it");
#if TANDEM_MODEL
        if (Tandem.Model.SeededBugs.PushCountsOneSlotTooMany) head++; // seeded bug: one slot past the ring's room
#endif
        if (tail - head >= Capacity) return false;
        Atomic.Racy(); // a thief may be copying other slots of the ring
        _items[tail & Mask].Item = task;
        Atomic.Write(ref _tail, tail + 1);
        return true;
    }

    /// <summary>Owner: takes the oldest task.</summary>
    internal HostTask? TryPop()
    {
        while (true)
        {
            long head = Atomic.Read(ref _head);
            if (head >= _tail) return null;
            var task = _items[head & Mask].Item;
#if TANDEM_MODEL
            if (Tandem.Model.SeededBugs.PopWritesHeadPlainly)
            {
                // Seeded bug: the owner's claim a plain store, as if no thief could take the same item.
                Atomic.Write(ref _head, head + 1);
                return task;
            }
#endif
            if (Atomic.CompareExchange(ref _head, head + 1, head) == head) return task;
        }
    }

    /// <summary>Owner: moves the older half of the queue into <paramref name="buffer"/> (for overflow to the global queue).</summary>
    internal int TakeHalf(RefSlot<HostTask>[] buffer) => Claim(buffer, owner: true);

    /// <summary>Thief: moves half of this queue (at least one task) into <paramref name="destination"/>, which the thief owns.</summary>
    /// <returns>One stolen task to run now, or null when there was nothing to steal.</returns>
    internal HostTask? StealInto(LocalQueue destination, RefSlot<HostTask>[] buffer)
    {
        int n = Claim(buffer, owner: false);
        if (n == 0) return null;
        for (int i = 1; i < n; i++)
        {
            if (!destination.TryPush(buffer[i].Take())) throw new InvalidOperationException("A thief steals only into a queue with room.");
        }
        return buffer[0].Take();
    }

    private int Claim(RefSlot<HostTask>[] buffer, bool owner)
    {
        while (true)
        {
            long head = Atomic.Read(ref _head);
            long tail = Atomic.Read(ref _tail);
            long available = tail - head;
            if (available <= 0) return 0;
            int n = (int)Math.Min(Math.Min(available - available / 2, buffer.Length), owner ? Capacity : Capacity / 2);
            for (int i = 0; i < n; i++)
            {
                Atomic.Racy(); // the owner may push meanwhile: never into [head, tail) while our claim can succeed
                buffer[i].Item = _items[(head + i) & Mask].Item;
            }
            if (Atomic.CompareExchange(ref _head, head + n, head) == head)
            {
                Debug.Assert(n > 0 && head + n <= tail, "a claim takes what was pushed, never more");
                return n;
            }
        }
    }

}
