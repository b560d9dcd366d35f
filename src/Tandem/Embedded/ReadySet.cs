using System.Numerics;

namespace Tandem.Embedded;

/// <summary>
/// The ready tasks of one priority level: a three-level bitmap over slot indices with a round-robin
/// cursor. Set, clear and find-next each touch at most three words, whatever the capacity.
/// </summary>
/// <remarks>
/// Invariants: bit <c>w</c> of <c>_mid[s]</c> is set exactly when <c>_leaf[64·s + w]</c> is non-zero,
/// and bit <c>s</c> of <c>_top</c> exactly when <c>_mid[s]</c> is non-zero. Taking the next set index
/// at or after the cursor, wrapping, means each ready task is taken once per sweep: a task made
/// ready again behind the cursor waits for the wrap, so no task runs twice before its peers run once.
/// Owned by the scheduler's thread: no atomics.
/// </remarks>
internal sealed class ReadySet
{
    private readonly ulong[] _leaf;
    private readonly ulong[] _mid;
    private ulong _top;
    private int _cursor;

    internal ReadySet(int capacity)
    {
        _leaf = new ulong[(capacity + 63) >> 6];
        _mid = new ulong[(_leaf.Length + 63) >> 6];
    }

    internal bool IsEmpty => _top == 0;

    internal void Add(int index)
    {
        int w = index >> 6;
        _leaf[w] |= 1UL << (index & 63);
        _mid[w >> 6] |= 1UL << (w & 63);
        _top |= 1UL << (w >> 6);
    }

    internal void Remove(int index)
    {
        int w = index >> 6;
        if ((_leaf[w] &= ~(1UL << (index & 63))) != 0) return;
        int s = w >> 6;
        if ((_mid[s] &= ~(1UL << (w & 63))) != 0) return;
        _top &= ~(1UL << s);
    }

    internal bool Contains(int index) => (_leaf[index >> 6] & (1UL << (index & 63))) != 0;

    /// <summary>Removes and returns the next ready index in round-robin order, or -1 when empty.</summary>
    internal int TakeNext()
    {
        if (_top == 0) return -1;
        int index = FindFrom(_cursor);
        if (index < 0) index = FindFrom(0);
        _cursor = index + 1;
        Remove(index);
        return index;
    }

    private int FindFrom(int from)
    {
        int w = from >> 6;
        if (w >= _leaf.Length) return -1;
        ulong bits = _leaf[w] & (ulong.MaxValue << (from & 63));
        if (bits != 0) return (w << 6) + BitOperations.TrailingZeroCount(bits);

        int w1 = w + 1;
        if (w1 >= _leaf.Length) return -1;
        int s = w1 >> 6;
        ulong mid = _mid[s] & (ulong.MaxValue << (w1 & 63));
        if (mid == 0)
        {
            int s1 = s + 1;
            if (s1 >= 64) return -1;
            ulong top = _top & (ulong.MaxValue << s1);
            if (top == 0) return -1;
            s = BitOperations.TrailingZeroCount(top);
            mid = _mid[s];
        }
        w = (s << 6) + BitOperations.TrailingZeroCount(mid);
        return (w << 6) + BitOperations.TrailingZeroCount(_leaf[w]);
    }
}
