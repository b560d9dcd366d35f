using System.Numerics;

namespace Tandem.Internal.Host;

/// <summary>
/// A hierarchical timing wheel: 6 levels of 64 slots at 1 ms resolution (level <c>l</c> slot spans
/// 64^l ms), about 2.2 years in all. Insert and cancel are O(1) (an intrusive list per slot); the next
/// expiry is found with one bit scan per level (an occupied mask per level). Not thread-safe: the
/// <see cref="TimerDriver"/> guards it with a lock.
/// </summary>
/// <remarks>
/// Invariant: an entry sits at the level of the highest 6-bit group in which its deadline differs from
/// <c>_elapsed</c>, in the slot that group selects. So entries of a lower level always expire before
/// those of a higher one, and when time reaches a higher-level slot its entries cascade down.
/// </remarks>
internal sealed class TimerWheel
{
    internal const int Levels = 6;
    private const int SlotBits = 6;
    private const int SlotsPerLevel = 1 << SlotBits;
    private const long MaxSpan = (1L << (SlotBits * Levels)) - 1;

    private readonly TimerEntry?[] _slots = new TimerEntry?[Levels * SlotsPerLevel];
    private readonly ulong[] _occupied = new ulong[Levels];
    private TimerEntry? _free;
    private long _elapsed;

    /// <summary>Pending timers.</summary>
    internal int Count { get; private set; }

    /// <summary>The time (ms) the wheel has been advanced to.</summary>
    internal long Elapsed => _elapsed;

    /// <summary>Adds a timer due at <paramref name="deadlineMs"/>; false (nothing added) when it is already due.</summary>
    internal bool Add(long deadlineMs, ClaimableWait resumption)
    {
        if (deadlineMs <= _elapsed) return false;
        if (Count >= _purgeAt) Purge();
        var entry = _free ?? new TimerEntry();
        _free = entry.Next;
        entry.Next = null;
        entry.Deadline = Math.Min(deadlineMs, _elapsed + MaxSpan);
        entry.ClaimableWait = resumption;
        Insert(entry);
        Count++;
        return true;
    }

    /// <summary>The deadline of the earliest slot that holds timers (exact at level 0), or long.MaxValue.</summary>
    internal long NextExpiration()
    {
        for (int level = 0; level < Levels; level++)
        {
            if (_occupied[level] == 0) continue;
            return SlotStart(level, NextOccupiedSlot(level));
        }
        return long.MaxValue;
    }

    /// <summary>Advances to <paramref name="nowMs"/>, moving every due timer's resumption into <paramref name="due"/>.</summary>
    internal void Advance(long nowMs, List<ClaimableWait> due)
    {
        while (true)
        {
            int level = -1;
            for (int l = 0; l < Levels; l++)
            {
                if (_occupied[l] != 0)
                {
                    level = l;
                    break;
                }
            }
            if (level < 0) break;
            int slot = NextOccupiedSlot(level);
            long start = SlotStart(level, slot);
            if (start > nowMs) break;
            _elapsed = Math.Max(_elapsed, start);
            var entry = _slots[level * SlotsPerLevel + slot];
            _slots[level * SlotsPerLevel + slot] = null;
            _occupied[level] &= ~(1UL << slot);
            while (entry is not null)
            {
                var next = entry.Next;
                entry.Prev = entry.Next = null;
                // Only level 0 fires: its slots are one millisecond, so everything in one is due together. A higher
                // slot spans many milliseconds and its list is in insertion order, so its entries cascade down
                // even when already due, and then fire in deadline order (a late timer thread would otherwise
                // fire an 80 ms timer before a 50 ms one that shared its slot).
                if (level == 0 && entry.Deadline <= nowMs)
                {
                    due.Add(entry.ClaimableWait);
                    Recycle(entry);
                    Count--;
                }
                else
                {
                    Insert(entry); // cascade to a lower level
                }
                entry = next;
            }
        }
        _elapsed = Math.Max(_elapsed, nowMs);
    }

    /// <summary>The count at which <see cref="Add"/> next drops the entries whose waits were withdrawn.</summary>
    private int _purgeAt = MinPurge;

    private const int MinPurge = 64;

    /// <summary>
    /// Drops every entry whose wait is no longer pending — a finished timeout's timer, a delay whose task was aborted or
    /// whose token cancelled it. Run when the wheel holds twice as many entries as after the last purge, so the cost is
    /// constant per timer added and the wheel holds at most about twice the timers still pending.
    /// </summary>
    private void Purge()
    {
        for (int index = 0; index < _slots.Length; index++)
        {
            for (var entry = _slots[index]; entry is not null;)
            {
                var next = entry.Next;
                if (!entry.ClaimableWait.IsPending)
                {
                    if (entry.Prev is { } prev) prev.Next = next;
                    else _slots[index] = next;
                    if (next is not null) next.Prev = entry.Prev;
                    entry.Prev = entry.Next = null;
                    Recycle(entry);
                    Count--;
                }
                entry = next;
            }
            if (_slots[index] is null) _occupied[index / SlotsPerLevel] &= ~(1UL << (index % SlotsPerLevel));
        }
        _purgeAt = Math.Max(MinPurge, Count * 2);
    }

    private void Insert(TimerEntry entry)
    {
        long masked = (_elapsed ^ entry.Deadline) | (SlotsPerLevel - 1);
        int significant = 63 - BitOperations.LeadingZeroCount((ulong)masked);
        int level = Math.Min(significant / SlotBits, Levels - 1);
        int slot = (int)((entry.Deadline >> (level * SlotBits)) & (SlotsPerLevel - 1));
        int index = level * SlotsPerLevel + slot;
        entry.Next = _slots[index];
        if (entry.Next is not null) entry.Next.Prev = entry;
        entry.Prev = null;
        _slots[index] = entry;
        _occupied[level] |= 1UL << slot;
    }

    private int NextOccupiedSlot(int level)
    {
        int now = (int)((_elapsed >> (level * SlotBits)) & (SlotsPerLevel - 1));
        ulong rotated = BitOperations.RotateRight(_occupied[level], now);
        return (BitOperations.TrailingZeroCount(rotated) + now) & (SlotsPerLevel - 1);
    }

    /// <summary>The first ms of <paramref name="slot"/> of <paramref name="level"/> at or after the current position.</summary>
    private long SlotStart(int level, int slot)
    {
        int shift = level * SlotBits;
        long levelRange = 1L << (shift + SlotBits);
        long levelStart = _elapsed & ~(levelRange - 1);
        long start = levelStart + ((long)slot << shift);
        if (start + (1L << shift) <= _elapsed) start += levelRange; // the slot lies in the next rotation
        return start;
    }

    private void Recycle(TimerEntry entry)
    {
        entry.ClaimableWait = default;
        entry.Next = _free;
        _free = entry;
    }
}

/// <summary>One pending timer of a <see cref="TimerWheel"/>; recycled through the wheel's free list.</summary>
internal sealed class TimerEntry
{
    internal long Deadline;
    internal ClaimableWait ClaimableWait;
    internal TimerEntry? Prev, Next;
}
