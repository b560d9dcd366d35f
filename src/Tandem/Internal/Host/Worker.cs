namespace Tandem.Internal.Host;

/// <summary>
/// One worker thread of a <see cref="HostScheduler"/>: a LIFO slot, a local run queue per priority,
/// and the loop that finds the next task — LIFO slot, local queues, global queue, stealing — and parks
/// when there is none.
/// </summary>
/// <remarks>
/// <para>Picking (see docs/ARCHITECTURE.md, "Host tier"): every <see cref="HostOptions.GlobalQueueInterval"/>
/// ticks the global queue goes first, so remote spawns are never starved by local ones. Otherwise the worker
/// takes the highest priority it can see among its LIFO slot, its local queues and the global queue;
/// the LIFO slot runs first only when nothing of a higher priority is visible, and at most
/// <see cref="MaxLifoPolls"/> times in a row.</para>
/// </remarks>
internal sealed class Worker
{
    /// <summary>LIFO-slot polls in a row before the worker looks at its queues again.</summary>
    internal const int MaxLifoPolls = 3;

    private const int Levels = Priorities.Count;

    [ThreadStatic] private static Worker? t_current;

    private readonly HostScheduler _scheduler;
    private readonly LocalQueue[] _queues = new LocalQueue[Levels];
    private readonly RefSlot<HostTask>[] _buffer = new RefSlot<HostTask>[LocalQueue.Capacity];
    private HostTask? _lifo;
    private int _lifoStreak;
    private int _ticksToGlobal = 1; // counts down to the next look at the global queue first (no division per pick)
    private uint _random;
    private bool _searching;

    internal Worker(HostScheduler scheduler, int index)
    {
        _scheduler = scheduler;
        Index = index;
        _random = (uint)(index * 0x9E3779B9 + 1);
        for (int l = 0; l < Levels; l++) _queues[l] = new LocalQueue();
        Thread = new Thread(Loop) { IsBackground = true, Name = $"{scheduler.ThreadNamePrefix} worker {index}" };
    }

    /// <summary>The worker running on this thread, or null.</summary>
    internal static Worker? Current => t_current;

    internal readonly int Index;

    /// <summary>The ids of the tasks spawned on this worker (its own thread only).</summary>
    internal TaskIdBlock Ids;

    /// <summary>This worker's counters for the runtime's meter: written by its own thread only, plainly; read by a
    /// collector as a snapshot.</summary>
    internal long Polls, Steals, Parks;

    /// <summary>Adds this worker's queued tasks, by priority, to <paramref name="lengths"/> (a collector's snapshot).</summary>
    internal void AddQueueLengths(Span<long> lengths)
    {
        for (int p = 0; p < _queues.Length; p++) lengths[p] += _queues[p].Count;
        if (Volatile.Read(ref _lifo) is { } lifo) lengths[(int)lifo.Priority]++;
    }

    internal readonly Parker Parker = new();

    internal readonly Thread Thread;

    internal HostScheduler Scheduler => _scheduler;

    /// <summary>True when a thief could find something in this worker's queues.</summary>
    internal bool HasStealableWork
    {
        get
        {
            foreach (var q in _queues)
                if (!q.IsEmpty) return true;
            return false;
        }
    }

    /// <summary>Queues a task on this worker (its own thread only): into the LIFO slot, or at the back of its level.</summary>
    internal void Push(HostTask task, bool lifo)
    {
        if (lifo)
        {
            var previous = _lifo;
            _lifo = task;
            if (previous is null) return;
            task = previous;
        }
        PushLocal(task);
        // Wake a parked worker when this worker's backlog grows past what it is about to run itself: at the
        // moment its queue reaches two tasks (a lone yielded task needs no help; beyond two, a worker was
        // already asked, and one that parks after that re-checks the queues and sees the backlog).
        if (!_searching && QueuedCount() == 2) _scheduler.NotifyOne();
    }

    private int QueuedCount()
    {
        int n = _lifo is null ? 0 : 1;
        foreach (var q in _queues)
        {
            n += q.Count;
            if (n > 2) break;
        }
        return n;
    }

    private void PushLocal(HostTask task)
    {
        var queue = _queues[(int)task.Priority];
        if (queue.TryPush(task)) return;
        // Full: move the older half and this task to the global queue, where any worker can take them.
        int n = queue.TakeHalf(_buffer);
        _buffer[n++].Item = task;
        _scheduler.Inject(task.Priority).PushBatch(_buffer, n);
    }

    private void Loop()
    {
        t_current = this;
        var site = PollSite.Capture();
        try
        {
            while (!_scheduler.IsStopping)
            {
                var task = FindWork();
                if (task is null && (_searching || (_searching = _scheduler.Idle.TryBeginSearch())))
                    task = Steal() ?? TakeGlobal(0);
                if (task is not null)
                {
                    StopSearching(notifyIfLast: true);
                    Polls++;
                    task.Run(in site, this);
                    continue;
                }
                StopSearching(notifyIfLast: false);
                // Idle: drop the last task's context, so that nothing of a finished task (its join cell) stays
                // reachable from this thread while it sleeps.
                site.RestoreSynchronizationContext();
                Park();
            }
        }
        finally
        {
            site.RestoreSynchronizationContext();
            t_current = null;
        }
    }

    private void StopSearching(bool notifyIfLast)
    {
        if (!_searching) return;
        _searching = false;
        // The last searcher to find work wakes another, so work that arrives in bursts keeps spreading.
        if (_scheduler.Idle.EndSearch() && notifyIfLast) _scheduler.NotifyOne(afterFullFence: true); // EndSearch's decrement
    }

    private HostTask? FindWork()
    {
        if (--_ticksToGlobal == 0)
        {
            _ticksToGlobal = _scheduler.GlobalQueueInterval;
            int best = _scheduler.BestInjectLevel(Levels);
            if (best < Levels && TakeGlobal(best) is { } fromGlobal) return fromGlobal;
        }

        // The global queues are looked at only above the level of the local work found: global work goes first
        // only when it is of a strictly higher level, so the levels below need no reading.
        int localBest = BestLocalLevel();
        if (_lifo is { } lifo)
        {
            int level = (int)lifo.Priority;
            _lifo = null;
            if (level <= localBest && _lifoStreak < MaxLifoPolls && _scheduler.BestInjectLevel(level) == Levels)
            {
                _lifoStreak++;
                return lifo;
            }
            PushLocal(lifo);
            localBest = Math.Min(localBest, level);
        }
        _lifoStreak = 0;

        int globalBest = _scheduler.BestInjectLevel(localBest);
        if (globalBest < localBest && TakeGlobal(globalBest) is { } higher) return higher;
        for (int level = localBest; level < Levels; level++)
        {
            var task = _queues[level].TryPop();
            if (task is not null) return task;
        }
        globalBest = _scheduler.BestInjectLevel(Levels);
        if (globalBest == Levels) return null;
        // Before taking lower-priority work from the global queue, take higher-priority work that sits
        // queued at another worker: a busy worker's Critical backlog must not wait behind our Normal work.
        return (globalBest > 0 ? Steal(globalBest) : null) ?? TakeGlobal(globalBest);
    }

    private int BestLocalLevel()
    {
        for (int level = 0; level < Levels; level++)
            if (!_queues[level].IsEmpty) return level;
        return Levels;
    }

    /// <summary>Takes a batch from the highest non-empty global level at or below <paramref name="fromLevel"/>; runs the first, queues the rest here.</summary>
    private HostTask? TakeGlobal(int fromLevel)
    {
        for (int level = fromLevel; level < Levels; level++)
        {
            var inject = _scheduler.Inject((Priority)level);
            if (inject.Count == 0) continue;
            var queue = _queues[level];
            int room = LocalQueue.Capacity - queue.Count;
            int want = Math.Min(Math.Min(inject.Count / _scheduler.WorkerCount + 1, LocalQueue.Capacity / 2), room);
            int n = inject.PopBatch(_buffer, Math.Max(1, want));
            if (n == 0) continue;
            for (int i = 1; i < n; i++)
            {
                var task = _buffer[i].Take();
                if (!queue.TryPush(task)) inject.Push(task);
            }
            return _buffer[0].Take();
        }
        return null;
    }

    private HostTask? Steal(int belowLevel = Levels)
    {
        var workers = _scheduler.Workers;
        int n = workers.Length;
        if (n == 1) return null;
        int start = (int)(NextRandom() % (uint)n);
        for (int level = 0; level < belowLevel; level++)
        {
            for (int i = 0; i < n; i++)
            {
                var victim = workers[(start + i) % n];
                if (victim == this) continue;
                var queue = victim._queues[level];
                if (queue.IsEmpty) continue;
                var task = queue.StealInto(_queues[level], _buffer);
                if (task is not null)
                {
                    Steals++;
                    if (TandemEventSource.Log.IsEnabled()) TandemEventSource.Log.WorkerSteal(Index, task.Id);
                    return task;
                }
            }
        }
        return null;
    }

    private void Park()
    {
        var idle = _scheduler.Idle;
        Parks++;
        idle.Register(Index);
        if (!_scheduler.HasWork() && !_scheduler.IsStopping)
        {
            bool traced = TandemEventSource.Log.IsEnabled();
            if (traced) TandemEventSource.Log.WorkerPark(Index);
            Parker.Park(-1);
            if (traced) TandemEventSource.Log.WorkerUnpark(Index);
        }
        // A stale permit (from a notifier whose wake we already consumed) may end the park early: harmless.
        _searching = idle.LeaveParked(Index);
    }

    private uint NextRandom()
    {
        uint x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return _random = x;
    }
}
