namespace Tandem.Internal.Host;

/// <summary>
/// Which workers are parked and how many are searching for work (stealing), so that new work wakes
/// at most one worker, and only when nobody is already searching: no thundering herd.
/// </summary>
/// <remarks>
/// <para>Invariants: a worker is in the parked list only between registering to park and being
/// unparked; the notifier that removes it from the list counts it as searching on its behalf (and tells
/// it so), so the searching count never misses a worker that is about to look for work.</para>
/// <para>No lost wake-up: a producer publishes its task before reading <c>_searching</c> and the parked
/// list (full fence between); a worker registers as parked (or stops searching) before re-checking every
/// queue (full fence between). Either the producer sees the worker and unparks it, or the worker's
/// re-check sees the task.</para>
/// </remarks>
internal sealed class IdleWorkers
{
    private readonly Lock _lock = new();
    private readonly int[] _parked;
    private readonly bool[] _wokenAsSearcher;
    private int _parkedCount;
    private int _searching;

    internal IdleWorkers(int workerCount)
    {
        _parked = new int[workerCount];
        _wokenAsSearcher = new bool[workerCount];
    }

    /// <summary>Becomes a searcher unless half the workers already search.</summary>
    internal bool TryBeginSearch()
    {
        while (true)
        {
            int searching = Atomic.Read(ref _searching);
            if (2 * searching >= _parked.Length) return false;
            if (Atomic.CompareExchange(ref _searching, searching + 1, searching) == searching) return true;
        }
    }

    /// <summary>Stops searching; true when this was the last searcher.</summary>
    internal bool EndSearch() => Atomic.Decrement(ref _searching) == 0;

    /// <summary>Picks a parked worker to wake for new work, unless someone is searching already.</summary>
    /// <param name="afterFullFence">The caller's last step was an interlocked operation (a full fence in .NET's memory
    /// model on every platform) that published its work: the fence below would be a second one.</param>
    /// <returns>The worker to unpark (already counted as searching), or -1.</returns>
    internal int TakeOneToWake(bool afterFullFence = false)
    {
        if (!afterFullFence) Atomic.Fence();
        // Both reads come after the fence, so a worker that registered to park before our task was
        // published is seen here; one that registers after will see the task in its own re-check.
        if (Atomic.Read(ref _searching) != 0 || Atomic.Read(ref _parkedCount) == 0) return -1;
        lock (_lock)
        {
            // No scheduling point inside a lock (the model checker does not model a thread blocked on one).
            if (_parkedCount == 0) return -1;
            Interlocked.Increment(ref _searching);
            int worker = _parked[--_parkedCount];
            _wokenAsSearcher[worker] = true;
            return worker;
        }
    }

    /// <summary>Enters <paramref name="worker"/> in the parked list, before its last look for work.</summary>
    internal void Register(int worker)
    {
        lock (_lock) _parked[_parkedCount++] = worker;
        Atomic.Fence();
    }

    /// <summary>
    /// Ends a park of <paramref name="worker"/> (every <see cref="Register"/> is followed by exactly one call):
    /// takes it out of the parked list if it is still there, or else reports that a notifier took it out and
    /// counted it as searching. One lock makes the two checks one step: checked separately, a notifier could
    /// take the worker between them, and its "woken" mark would then be read at the next park, while the
    /// worker sits in the list again — and the worker would be registered twice.
    /// </summary>
    /// <returns>True when the worker was woken as a searcher and must search.</returns>
    internal bool LeaveParked(int worker)
    {
        lock (_lock)
        {
            int i = Array.IndexOf(_parked, worker, 0, _parkedCount);
            if (i >= 0)
            {
                _parked[i] = _parked[--_parkedCount];
                return false;
            }
            bool woken = _wokenAsSearcher[worker];
            _wokenAsSearcher[worker] = false;
#if TANDEM_MODEL
            if (Tandem.Model.SeededBugs.WokenWorkerForgetsItSearches) return false; // seeded bug: the count it was given leaks
#endif
            return woken;
        }
    }
}
