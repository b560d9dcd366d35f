using System.Numerics;

namespace Tandem.Embedded;

/// <summary>
/// A fixed set of wake flags, one per task slot, that any thread may signal at any moment,
/// including while the scheduler is polling. A scheduler's registry is sized to its capacity
/// (reachable from outside only through <see cref="EmbeddedScheduler.Wakers"/>, signal-only); one you create is yours,
/// for the polling style of wake-up: signal from any thread, then check and clear from yours.
/// </summary>
/// <remarks>
/// <para>The flags are bits of 64-bit words, with a summary word whose bit <c>w</c> says word
/// <c>w</c> may hold a signal. Signal sets the flag, then its summary bit, each with one atomic OR:
/// it never locks, never allocates and never waits. A drain exchanges a summary word, then each word
/// it names, with zero, so a signal is consumed exactly once; a signal that races with a drain is
/// either taken by it or left, with its summary bit, for the next one.</para>
/// <para>An index outside 0..<see cref="Capacity"/>-1 is an error: <see cref="Signal"/> throws
/// <see cref="ArgumentOutOfRangeException"/> and <see cref="TrySignal"/> returns false, so a bad
/// index never corrupts another task's flag.</para>
/// </remarks>
public sealed class WakerRegistry
{
    /// <summary>The largest capacity a registry supports (64 × 64 × 64 flags).</summary>
    public const int MaxCapacity = 64 * 64 * 64;

    private readonly ulong[] _words;
    private readonly ulong[] _summary;
    private Action? _onSignal;
    private Action<int>? _onDirectSignal;

    /// <summary>
    /// 1 once a signal is set after the last drain began: the loop's per-turn check reads this one word
    /// instead of every summary word. A signaller sets it after its flag; a drain clears it before it scans,
    /// so a signal is either seen by that scan or leaves the word set for the next turn.
    /// </summary>
    private int _pending;

    /// <summary>Creates a registry of <paramref name="capacity"/> flags, all clear.</summary>
    /// <param name="capacity">How many indices it holds: 1 to <see cref="MaxCapacity"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is outside 1..<see cref="MaxCapacity"/>.</exception>
    public WakerRegistry(int capacity)
    {
        if (capacity is < 1 or > MaxCapacity)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A waker registry holds 1 to {MaxCapacity} flags.");
        Capacity = capacity;
        _words = new ulong[(capacity + 63) >> 6];
        _summary = new ulong[(_words.Length + 63) >> 6];
    }

    /// <summary>How many indices the registry holds (0..Capacity-1).</summary>
    public int Capacity { get; }

    /// <summary>True when some flag may be set since the last drain (a fast hint for a scheduler's loop: one read).</summary>
    public bool HasSignals => Atomic.Read(ref _pending) != 0;

    /// <summary>True when some flag is set right now (exact, unlike <see cref="HasSignals"/>: a cleared flag's summary bit does not count).</summary>
    internal bool HasSetFlag
    {
        get
        {
            for (int s = 0; s < _summary.Length; s++)
            {
                ulong summary = Atomic.Read(ref _summary[s]);
                while (summary != 0)
                {
                    int w = (s << 6) + BitOperations.TrailingZeroCount(summary);
                    summary &= summary - 1;
                    if (Atomic.Read(ref _words[w]) != 0) return true;
                }
            }
            return false;
        }
    }

    /// <summary>Sets the flag of <paramref name="index"/> and wakes the scheduler that owns the registry.</summary>
    /// <param name="index">A task slot, 0..<see cref="Capacity"/>-1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public void Signal(int index)
    {
        if (!TrySignal(index))
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A waker index is 0..{Capacity - 1}.");
    }

    /// <summary>Sets the flag of <paramref name="index"/>, or returns false for an index out of range.</summary>
    /// <param name="index">A task slot.</param>
    /// <returns>False when <paramref name="index"/> is outside 0..<see cref="Capacity"/>-1 (nothing changes).</returns>
    public bool TrySignal(int index)
    {
        if ((uint)index >= (uint)Capacity) return false;
        Volatile.Read(ref _onDirectSignal)?.Invoke(index);
        SetFlag(index);
        return true;
    }

    /// <summary>Sets the flag of <paramref name="index"/> (in range) and tells the owner's listener: the part of a signal
    /// that a scheduler's own wakers share with <see cref="TrySignal"/>.</summary>
    internal void SetFlag(int index)
    {
        int w = index >> 6;
        Atomic.Or(ref _words[w], 1UL << (index & 63));
        Atomic.Or(ref _summary[w >> 6], 1UL << (w & 63));
        if (Atomic.Read(ref _pending) == 0) Atomic.Exchange(ref _pending, 1);
        Volatile.Read(ref _onSignal)?.Invoke();
    }

    /// <summary>True when the flag of <paramref name="index"/> is set (signalled and not yet consumed).</summary>
    /// <param name="index">A task slot.</param>
    /// <returns>The flag.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public bool Check(int index)
    {
        ValidateIndex(index);
        return (Atomic.Read(ref _words[index >> 6]) & (1UL << (index & 63))) != 0;
    }

    /// <summary>Clears the flag of <paramref name="index"/>.</summary>
    /// <param name="index">A task slot.</param>
    /// <returns>True when it was set.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public bool Clear(int index)
    {
        ValidateIndex(index);
        ulong bit = 1UL << (index & 63);
        return (Atomic.And(ref _words[index >> 6], ~bit) & bit) != 0;
    }

    /// <summary>Clears every flag.</summary>
    public void Reset()
    {
        // The pending word first: a signal racing with the reset is either cleared whole, or sets it again.
        Interlocked.Exchange(ref _pending, 0);
        for (int s = 0; s < _summary.Length; s++) Interlocked.Exchange(ref _summary[s], 0);
        for (int w = 0; w < _words.Length; w++) Interlocked.Exchange(ref _words[w], 0);
    }

    /// <summary>How many flags are set right now (a snapshot).</summary>
    public int CountSignalled()
    {
        int n = 0;
        foreach (ref readonly ulong w in _words.AsSpan()) n += BitOperations.PopCount(Volatile.Read(in w));
        return n;
    }

    /// <summary>Lets the owning scheduler hear every signal (to unpark its loop).</summary>
    internal void SetSignalListener(Action? onSignal) => Volatile.Write(ref _onSignal, onSignal);

    /// <summary>Lets the owning scheduler hear, before the flag is set, each signal made through the public
    /// <see cref="Signal"/>/<see cref="TrySignal"/> (not through its own wakers): such a signal names a slot, not a task.</summary>
    internal void SetDirectSignalListener(Action<int>? onDirectSignal) => Volatile.Write(ref _onDirectSignal, onDirectSignal);

    /// <summary>Consumes every set flag, calling <paramref name="onSignal"/> with each index; returns how many.</summary>
    internal int Drain<TState>(TState state, Action<TState, int> onSignal)
    {
        int count = 0;
#if TANDEM_MODEL
        if (!Tandem.Model.SeededBugs.DrainClearsPendingLast)
#endif
        Atomic.Exchange(ref _pending, 0);
        for (int s = 0; s < _summary.Length; s++)
        {
            if (Atomic.Read(ref _summary[s]) == 0) continue;
            ulong summary = Atomic.Exchange(ref _summary[s], 0);
            while (summary != 0)
            {
                int w = (s << 6) + BitOperations.TrailingZeroCount(summary);
                summary &= summary - 1;
                ulong bits = Atomic.Exchange(ref _words[w], 0);
                while (bits != 0)
                {
                    int index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    onSignal(state, index);
                    count++;
                }
            }
        }
#if TANDEM_MODEL
        // Seeded bug: the pending word cleared after the scan, where a signal in between is lost.
        if (Tandem.Model.SeededBugs.DrainClearsPendingLast) Atomic.Exchange(ref _pending, 0);
#endif
        return count;
    }

    private void ValidateIndex(int index)
    {
        if ((uint)index >= (uint)Capacity)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A waker index is 0..{Capacity - 1}.");
    }
}
