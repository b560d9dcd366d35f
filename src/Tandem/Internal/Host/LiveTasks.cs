namespace Tandem.Internal.Host;

/// <summary>
/// Every unfinished task of a scheduler, so that shutdown can abort them: intrusive lists in shards,
/// each under its own spin lock (<see cref="ShardLock"/>), so that spawns and finishes on different threads
/// rarely contend.
/// </summary>
/// <remarks>
/// Each shard counts its tasks under its lock, so adding and removing take no atomic operation beyond the
/// lock. Shutdown needs to know when the last task is gone: <see cref="Close"/> takes every shard lock, sets
/// the closed flag and sums the shards into <c>_remainingAfterClose</c>; a removal reads the flag under its
/// shard lock, so it was either counted in that sum (it came first) or decrements what is left (it came
/// after), never both.
/// </remarks>
internal sealed class LiveTasks
{
    private const int ShardCount = 16;

    private readonly Shard[] _shards = new Shard[ShardCount];
    private int _remainingAfterClose;
    private bool _closed; // written under every shard lock, read under one: a closed list takes no task

    internal LiveTasks()
    {
        for (int i = 0; i < ShardCount; i++) _shards[i] = new Shard();
    }

    /// <summary>How many tasks are live (a snapshot).</summary>
    internal int Count
    {
        get
        {
            int count = 0;
            foreach (var shard in _shards) count += Volatile.Read(ref shard.Count);
            return count;
        }
    }

    /// <summary>Adds a new task; false once the list is closed (the scheduler is shutting down).</summary>
    internal bool TryAdd(HostTask task)
    {
        var shard = _shards[(int)(task.Id & (ShardCount - 1))];
        shard.Lock.Enter();
        if (_closed)
        {
            shard.Lock.Exit();
            return false;
        }
        task.InLiveList = true;
        task.LivePrev = null;
        task.LiveNext = shard.Head;
        if (shard.Head is not null) shard.Head.LivePrev = task;
        shard.Head = task;
        shard.Count++;
        task.LivePriority = task.Priority; // it may move itself later (Async.ChangePriority): counted where it started
        shard.Alive[(int)task.LivePriority]++;
        shard.Lock.Exit();
        return true;
    }

    /// <summary>Refuses every later add: after this returns, <see cref="Count"/> only goes down.</summary>
    /// <returns>How many tasks were live at the close.</returns>
    internal int Close()
    {
        foreach (var shard in _shards) shard.Lock.Enter();
        _closed = true;
        int remaining = 0;
        foreach (var shard in _shards) remaining += shard.Count;
        Volatile.Write(ref _remainingAfterClose, remaining);
        foreach (var shard in _shards) shard.Lock.Exit();
        return remaining;
    }

    /// <summary>Removes a finished task (a second removal changes nothing).</summary>
    /// <returns>True when this removed the last task live after <see cref="Close"/>.</returns>
    internal bool Remove(HostTask task, TaskState outcome)
    {
        var shard = _shards[(int)(task.Id & (ShardCount - 1))];
        shard.Lock.Enter();
        if (!task.InLiveList)
        {
            shard.Lock.Exit();
            return false;
        }
        task.InLiveList = false;
        if (task.LivePrev is not null) task.LivePrev.LiveNext = task.LiveNext;
        else shard.Head = task.LiveNext;
        if (task.LiveNext is not null) task.LiveNext.LivePrev = task.LivePrev;
        task.LivePrev = task.LiveNext = null;
        shard.Count--;
        int p = (int)task.LivePriority;
        shard.Alive[p]--;
        shard.Finished[p * 3 + Internal.Diagnostics.RuntimeMetrics.OutcomeIndex(outcome)]++;
        bool afterClose = _closed;
        shard.Lock.Exit();
        return afterClose && Interlocked.Decrement(ref _remainingAfterClose) == 0;
    }

    /// <summary>Asks every live task to abort (each is woken so that its next poll unwinds it).</summary>
    internal void AbortAll()
    {
        foreach (var shard in _shards)
        {
            // Under the shard lock a task cannot finish and be reused, so its generation is current.
            shard.Lock.Enter();
            try
            {
                for (var t = shard.Head; t is not null; t = t.LiveNext) t.RequestAbort(Volatile.Read(ref t.Generation));
            }
            finally
            {
                shard.Lock.Exit();
            }
        }
    }

    /// <summary>Adds a snapshot of every live task to <paramref name="into"/> (any thread; see <see cref="Runtime.GetTaskSnapshot"/>).</summary>
    /// <remarks>Under each shard's lock only raw values are copied (the spin lock is one a spawn and a finish take); the
    /// entries are made — names formatted, times computed — after it is let go.</remarks>
    internal void AddSnapshots(List<TaskInfo> into, TimeProvider clock, long now)
    {
        var readings = new List<TaskReading>();
        foreach (var shard in _shards)
        {
            readings.Clear();
            // Under the shard lock a listed task cannot finish and be reused: its generation is its own.
            shard.Lock.Enter();
            try
            {
                for (var t = shard.Head; t is not null; t = t.LiveNext)
                {
                    if (t.Read(Volatile.Read(ref t.Generation), t.ReadActivity()) is { } reading) readings.Add(reading);
                }
            }
            finally
            {
                shard.Lock.Exit();
            }
            foreach (var reading in readings) into.Add(reading.ToInfo(clock, now));
        }
    }

    /// <summary>Adds the stalls of the live tasks to <paramref name="into"/> (the stall detector's thread; see
    /// <see cref="Runtime.StallDetected"/>).</summary>
    internal void CollectStalls(List<TaskStallEventArgs> into, TimeProvider clock, long now, TimeSpan threshold)
    {
        var found = new List<(TaskStallKind Kind, TimeSpan Duration, TaskReading Task)>();
        foreach (var shard in _shards)
        {
            shard.Lock.Enter();
            try
            {
                for (var t = shard.Head; t is not null; t = t.LiveNext)
                {
                    if (t.CheckStall(Volatile.Read(ref t.Generation), t.ReadActivity(), now, threshold) is { } stall) found.Add(stall);
                }
            }
            finally
            {
                shard.Lock.Exit();
            }
        }
        foreach (var (kind, duration, task) in found) into.Add(new TaskStallEventArgs(kind, duration, task.ToInfo(clock, now)));
    }

    private sealed class Shard
    {
        internal readonly ShardLock Lock = new();
        internal HostTask? Head;
        internal int Count; // written under Lock

        // For the runtime's meter, written under Lock: unfinished tasks by the priority they were added at, and finished
        // ones by that priority and outcome (RuntimeMetrics.OutcomeIndex's order).
        internal readonly long[] Alive = new long[Priorities.Count];
        internal readonly long[] Finished = new long[Priorities.Count * 3];
    }

    /// <summary>Sums the shards' counts (each read under its lock): see <see cref="Internal.Diagnostics.IMetricsSource.ReadTasks"/>.</summary>
    internal void ReadCounts(Span<long> alive, Span<long> finished)
    {
        alive.Clear();
        finished.Clear();
        foreach (var shard in _shards)
        {
            shard.Lock.Enter();
            for (int p = 0; p < shard.Alive.Length; p++) alive[p] += shard.Alive[p];
            for (int i = 0; i < shard.Finished.Length; i++) finished[i] += shard.Finished[i];
            shard.Lock.Exit();
        }
    }
}
