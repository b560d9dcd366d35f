namespace Tandem.Internal.Joining;

/// <summary>
/// The bookkeeping of a fixed-capacity set whose members finish in any order (join sets and
/// futures-unordered sets): free member indices, the indices of finished members in the order they
/// finished, and a signal for the one consumer waiting for the next.
/// </summary>
/// <remarks>
/// Members may finish on any thread (host tier), so the queue is guarded by a lock, held only for a
/// few array writes. Invariant: an index is either free, live, or queued as finished, never two at once.
/// </remarks>
internal sealed class CompletionQueue
{
    private readonly Lock _lock = new();
    private readonly int[] _free;
    private readonly int[] _finished;
    private int _freeCount;
    private int _finishedHead;
    private int _finishedCount;

    internal CompletionQueue(int capacity)
    {
        Capacity = capacity;
        _free = new int[capacity];
        _finished = new int[capacity];
        for (int i = 0; i < capacity; i++) _free[i] = capacity - 1 - i;
        _freeCount = capacity;
    }

    internal int Capacity { get; }

    /// <summary>Members added and not yet taken out (running or finished).</summary>
    internal int Count
    {
        get
        {
            lock (_lock) return Capacity - _freeCount;
        }
    }

    /// <summary>Resumed when a member finishes.</summary>
    internal AsyncSignal Signal { get; } = new();

    internal bool TryReserve(out int index)
    {
        lock (_lock)
        {
            if (_freeCount == 0)
            {
                index = -1;
                return false;
            }
            index = _free[--_freeCount];
            return true;
        }
    }

    /// <summary>Returns a member index that was reserved but not used, or whose member was taken out.</summary>
    internal void Free(int index)
    {
        lock (_lock) _free[_freeCount++] = index;
    }

    /// <summary>Queues a finished member and wakes the consumer.</summary>
    internal void Finished(int index)
    {
        lock (_lock) _finished[(_finishedHead + _finishedCount++) % Capacity] = index;
        Signal.Set();
    }

    /// <summary>Takes the member that finished first, if any.</summary>
    internal bool TryTakeFinished(out int index)
    {
        lock (_lock)
        {
            if (_finishedCount == 0)
            {
                index = -1;
                return false;
            }
            index = _finished[_finishedHead];
            _finishedHead = (_finishedHead + 1) % Capacity;
            _finishedCount--;
            return true;
        }
    }
}
