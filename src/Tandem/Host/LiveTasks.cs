namespace Tandem.Host;

/// <summary>
/// Every unfinished task of a scheduler, so that shutdown can abort them: intrusive lists in shards,
/// each under its own lock, so that spawns and finishes on different threads rarely contend.
/// </summary>
internal sealed class LiveTasks
{
    private const int ShardCount = 16;

    private readonly Shard[] _shards = new Shard[ShardCount];
    private int _count;
    private bool _closed; // written under every shard lock, read under one: a closed list takes no task

    internal LiveTasks()
    {
        for (int i = 0; i < ShardCount; i++) _shards[i] = new Shard();
    }

    internal int Count => Volatile.Read(ref _count);

    /// <summary>Adds a new task; false once the list is closed (the scheduler is shutting down).</summary>
    internal bool TryAdd(HostTask task)
    {
        var shard = _shards[(int)(task.Id & (ShardCount - 1))];
        lock (shard.Lock)
        {
            if (_closed) return false;
            task.InLiveList = true;
            task.LivePrev = null;
            task.LiveNext = shard.Head;
            if (shard.Head is not null) shard.Head.LivePrev = task;
            shard.Head = task;
            Interlocked.Increment(ref _count);
        }
        return true;
    }

    /// <summary>Refuses every later add: after this returns, <see cref="Count"/> only goes down.</summary>
    internal void Close()
    {
        foreach (var shard in _shards) Monitor.Enter(shard.Lock);
        _closed = true;
        foreach (var shard in _shards) Monitor.Exit(shard.Lock);
    }

    /// <summary>Removes a finished task (a second removal changes nothing); returns the live count after.</summary>
    internal int Remove(HostTask task)
    {
        var shard = _shards[(int)(task.Id & (ShardCount - 1))];
        lock (shard.Lock)
        {
            if (!task.InLiveList) return Volatile.Read(ref _count);
            task.InLiveList = false;
            if (task.LivePrev is not null) task.LivePrev.LiveNext = task.LiveNext;
            else shard.Head = task.LiveNext;
            if (task.LiveNext is not null) task.LiveNext.LivePrev = task.LivePrev;
            task.LivePrev = task.LiveNext = null;
        }
        return Interlocked.Decrement(ref _count);
    }

    /// <summary>Asks every live task to abort (each is woken so that its next poll unwinds it).</summary>
    internal void AbortAll()
    {
        foreach (var shard in _shards)
        {
            // Under the shard lock a task cannot finish and be reused, so its generation is current.
            lock (shard.Lock)
            {
                for (var t = shard.Head; t is not null; t = t.LiveNext) t.RequestAbort(Volatile.Read(ref t.Generation));
            }
        }
    }

    private sealed class Shard
    {
        internal readonly object Lock = new(); // a monitor, so that Close can hold every shard at once
        internal HostTask? Head;
    }
}
